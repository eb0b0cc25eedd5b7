using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace TiKV.Grpc;

/// <summary>
/// A typed gRPC method: its HTTP/2 path, streaming kind and message parsers. Build it either from the generated
/// protobuf service descriptor (<see cref="FromDescriptor"/>, which checks the message types and streaming kind
/// against the <c>.proto</c> definition) or from names and parsers (<see cref="Create"/>, which needs no
/// descriptor: building descriptors for kvproto's files costs a process over 100 ms of start-up).
/// </summary>
/// <typeparam name="TRequest">The request message type.</typeparam>
/// <typeparam name="TResponse">The response message type.</typeparam>
public sealed class GrpcMethod<TRequest, TResponse>
    where TRequest : IMessage<TRequest>, new()
    where TResponse : IMessage<TResponse>, new()
{
    private GrpcMethod(string serviceName, string name, MethodType type, MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser)
    {
        ServiceName = serviceName;
        Name = name;
        FullName = "/" + serviceName + "/" + name;
        Type = type;
        RequestParser = requestParser;
        ResponseParser = responseParser;
    }

    /// <summary>The fully-qualified service name, e.g. <c>tikvpb.Tikv</c>.</summary>
    public string ServiceName { get; }

    /// <summary>The method name, e.g. <c>RawGet</c>.</summary>
    public string Name { get; }

    /// <summary>The HTTP/2 path, e.g. <c>/tikvpb.Tikv/RawGet</c>.</summary>
    public string FullName { get; }

    /// <summary>The streaming kind declared in the service definition.</summary>
    public MethodType Type { get; }

    internal MessageParser<TRequest> RequestParser { get; }

    internal MessageParser<TResponse> ResponseParser { get; }

    /// <summary>
    /// Builds the method <paramref name="methodName"/> of <paramref name="service"/>, checking that its input and
    /// output types are <typeparamref name="TRequest"/> and <typeparamref name="TResponse"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The method does not exist or its message types differ.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "The factory is typed by the method it builds.")]
    public static GrpcMethod<TRequest, TResponse> FromDescriptor(ServiceDescriptor service, string methodName)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentException.ThrowIfNullOrEmpty(methodName);
        MethodDescriptor method = service.FindMethodByName(methodName)
            ?? throw new ArgumentException($"Service '{service.FullName}' has no method '{methodName}'.", nameof(methodName));
        CheckMessageType(method, "input", method.InputType, new TRequest().Descriptor);
        CheckMessageType(method, "output", method.OutputType, new TResponse().Descriptor);
        MethodType type = (method.IsClientStreaming, method.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (true, false) => MethodType.ClientStreaming,
            (false, true) => MethodType.ServerStreaming,
            _ => MethodType.DuplexStreaming,
        };
        return new GrpcMethod<TRequest, TResponse>(service.FullName, method.Name, type, GetParser<TRequest>(), GetParser<TResponse>());
    }

    /// <summary>
    /// Builds a method from its names, streaming kind and message parsers without touching any protobuf descriptor.
    /// Nothing checks the names against a <c>.proto</c> file: they must be spelled as the service definition spells
    /// them (a wrong name makes the server answer <see cref="StatusCode.Unimplemented"/>).
    /// </summary>
    /// <param name="serviceName">
    /// The fully-qualified service name, <c>package.Service</c>, e.g. <c>tikvpb.Tikv</c>: dot-separated protobuf
    /// identifiers (letters, digits, underscores; none starting with a digit).
    /// </param>
    /// <param name="methodName">The method name as declared in the service, e.g. <c>RawGet</c>: one protobuf identifier.</param>
    /// <param name="type">The streaming kind declared in the service definition.</param>
    /// <param name="requestParser">The request message's parser, e.g. <c>RawGetRequest.Parser</c>.</param>
    /// <param name="responseParser">The response message's parser, e.g. <c>RawGetResponse.Parser</c>.</param>
    /// <exception cref="ArgumentNullException">A name or a parser is null.</exception>
    /// <exception cref="ArgumentException">A name is empty or not a valid protobuf name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a <see cref="MethodType"/>.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "The factory is typed by the method it builds.")]
    public static GrpcMethod<TRequest, TResponse> Create(
        string serviceName,
        string methodName,
        MethodType type,
        MessageParser<TRequest> requestParser,
        MessageParser<TResponse> responseParser)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentException.ThrowIfNullOrEmpty(methodName);
        ArgumentNullException.ThrowIfNull(requestParser);
        ArgumentNullException.ThrowIfNull(responseParser);
        if (!Enum.IsDefined(type))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Not a gRPC method type.");
        }

        foreach (string part in serviceName.Split('.'))
        {
            if (!IsIdentifier(part))
            {
                throw new ArgumentException(
                    $"Service name '{serviceName}' is not a fully-qualified protobuf name (package.Service).", nameof(serviceName));
            }
        }

        if (!IsIdentifier(methodName))
        {
            throw new ArgumentException($"Method name '{methodName}' is not a protobuf identifier.", nameof(methodName));
        }

        return new GrpcMethod<TRequest, TResponse>(serviceName, methodName, type, requestParser, responseParser);
    }

    /// <inheritdoc />
    public override string ToString() => FullName;

    private static void CheckMessageType(MethodDescriptor method, string role, MessageDescriptor declared, MessageDescriptor actual)
    {
        if (!string.Equals(declared.FullName, actual.FullName, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"Method '{method.FullName}' takes {role} type '{declared.FullName}', not '{actual.FullName}'.");
        }
    }

    /// <summary>A protobuf identifier: a letter or underscore, then letters, digits or underscores (ASCII).</summary>
    private static bool IsIdentifier(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    private static MessageParser<T> GetParser<T>()
        where T : IMessage<T>, new()
    {
        // Generated messages expose their parser as a static property; it is looked up once per method.
        PropertyInfo? property = typeof(T).GetProperty("Parser", BindingFlags.Public | BindingFlags.Static);
        return property?.GetValue(null) as MessageParser<T>
            ?? new MessageParser<T>(static () => new T());
    }
}
