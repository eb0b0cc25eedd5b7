using TiKV.Proto.Errorpb;

namespace TiKV.DevCluster.Tests.Infrastructure;

internal static class ErrorCaseExtensions
{
    /// <summary>The name of the errorpb variant that is set (errorpb.Error has no oneof, so look at each field).</summary>
    public static string ErrorCase(this Error error)
    {
        var set = Error.Descriptor.Fields.InFieldNumberOrder()
            .Where(f => f.FieldType == Google.Protobuf.Reflection.FieldType.Message && f.Accessor.GetValue(error) is not null)
            .Select(f => f.MessageType.Name)
            .ToList();
        return Assert.Single(set);
    }
}
