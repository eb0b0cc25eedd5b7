using System.Reflection;
using TiKV.Client.Pd.Internal;
using TiKV.Client.Rpc.Internal;
using TiKV.Proto.Pdpb;
using TiKV.Proto.Tikvpb;
using TiKV.Tests.Shared;

namespace TiKV.Client.Tests.Unit;

/// <summary>
/// The client calls TiKV and PD through methods built by name, without descriptors; a misspelt name or a wrong
/// message type would only show against a real server, so every entry is checked against kvproto's descriptors.
/// </summary>
public sealed class MethodTablesTests
{
    public static TheoryData<string, string> Methods()
    {
        var data = new TheoryData<string, string>();
        foreach (var table in new[] { typeof(TikvMethods), typeof(PdMethods) })
        {
            foreach (var field in Fields(table))
            {
                data.Add(table.Name, field.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Each_method_matches_the_service_descriptor(string table, string fieldName)
    {
        var (type, service) = table == nameof(TikvMethods)
            ? (typeof(TikvMethods), TikvpbReflection.Descriptor.Services.Single(s => s.Name == "Tikv"))
            : (typeof(PdMethods), PdpbReflection.Descriptor.Services.Single(s => s.Name == "PD"));
        var field = type.GetField(fieldName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!;
        MethodTableAssert.MatchesDescriptor(field.GetValue(null)!, service);
    }

    private static IEnumerable<FieldInfo> Fields(Type table) =>
        table.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(f => !f.IsLiteral && f.FieldType.IsGenericType && f.FieldType.GetGenericTypeDefinition() == typeof(TiKV.Grpc.GrpcMethod<,>));
}
