using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace TiKV.Grpc;

/// <summary>
/// A typed gRPC method, built from the generated protobuf service descriptor so paths, message types and
/// streaming kinds always match the <c>.proto</c> definition.
/// </summary>
/// <typeparam name="TRequest">The request message type.</typeparam>
/// <typeparam name="TResponse">The response message type.</typeparam>
public sealed class GrpcMethod<TRequest, TResponse>
    where TRequest : IMessage<TRequest>, new()
    where TResponse : IMessage<TResponse>, new()
{
    private GrpcMethod(string serviceName, string name, MethodType type)
    {
        ServiceName = serviceName;
        Name = name;
        FullName = "/" + serviceName + "/" + name;
        Type = type;
        RequestParser = GetParser<TRequest>();
        ResponseParser = GetParser<TResponse>();
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
        return new GrpcMethod<TRequest, TResponse>(service.FullName, method.Name, type);
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

    private static MessageParser<T> GetParser<T>()
        where T : IMessage<T>, new()
    {
        // Generated messages expose their parser as a static property; it is looked up once per method.
        PropertyInfo? property = typeof(T).GetProperty("Parser", BindingFlags.Public | BindingFlags.Static);
        return property?.GetValue(null) as MessageParser<T>
            ?? new MessageParser<T>(static () => new T());
    }
}
