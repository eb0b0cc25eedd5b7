using Google.Protobuf;
using Google.Protobuf.Reflection;
using TiKV.Proto.Errorpb;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Internal.Store;

/// <summary>
/// The fields every kvrpcpb request and response shares by name — <c>context</c> on requests and
/// <c>region_error</c> on responses — reached through the message descriptors, so generic code (faults,
/// cluster-id checks, metrics) works for every RPC.
/// </summary>
/// <typeparam name="T">A kvrpcpb message type.</typeparam>
internal static class MessageFields<T>
    where T : IMessage<T>, new()
{
    private static readonly MessageDescriptor Descriptor = new T().Descriptor;
    private static readonly FieldDescriptor? ContextField = Descriptor.FindFieldByName("context");
    private static readonly FieldDescriptor? RegionErrorField = Descriptor.FindFieldByName("region_error");

    /// <summary>
    /// Where a request's first key is: a key field itself, or the <c>key</c> of the first element of a repeated
    /// message field (pairs, mutations). Checked in this order; the first present wins.
    /// </summary>
    private static readonly FieldDescriptor[] KeyFields =
    [
        .. new[] { "key", "keys", "start_key", "primary_key", "primary_lock", "pairs", "mutations" }
            .Select(Descriptor.FindFieldByName)
            .OfType<FieldDescriptor>(),
    ];

    /// <summary>The request's context, or null when it has none.</summary>
    public static Context? ContextOf(T message) => ContextField?.Accessor.GetValue(message) as Context;

    /// <summary>The response's region error, or null.</summary>
    public static Error? RegionErrorOf(T message) => RegionErrorField?.Accessor.GetValue(message) as Error;

    /// <summary>The first key a request names (empty when it names none), for errors that report a key.</summary>
    public static ByteString FirstKeyOf(T message)
    {
        foreach (var field in KeyFields)
        {
            var value = field.Accessor.GetValue(message);
            switch (value)
            {
                case ByteString { IsEmpty: false } key:
                    return key;
                case System.Collections.IList { Count: > 0 } list when list[0] is ByteString first:
                    return first;
                case System.Collections.IList { Count: > 0 } list when list[0] is IMessage element:
                    if (element.Descriptor.FindFieldByName("key")?.Accessor.GetValue(element) is ByteString nested)
                    {
                        return nested;
                    }

                    break;
            }
        }

        return ByteString.Empty;
    }

    /// <summary>A response carrying only <paramref name="error"/> as its region error.</summary>
    public static T WithRegionError(Error error)
    {
        var message = new T();
        RegionErrorField?.Accessor.SetValue(message, error);
        return message;
    }
}
