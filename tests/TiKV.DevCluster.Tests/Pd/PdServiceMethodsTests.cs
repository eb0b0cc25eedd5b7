using System.Reflection;
using TiKV.DevCluster.Internal.Pd;
using TiKV.Tests.Shared;
using TiKV.Proto.Pdpb;

namespace TiKV.DevCluster.Tests.Pd;

/// <summary>PD's method table is built without descriptors; every entry must still match pdpb.proto exactly.</summary>
public sealed class PdServiceMethodsTests
{
    public static TheoryData<string> Fields()
    {
        var data = new TheoryData<string>();
        foreach (var field in typeof(PdServiceMethods).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => !f.IsLiteral))
        {
            data.Add(field.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public void Each_method_matches_the_service_descriptor(string fieldName)
    {
        var field = typeof(PdServiceMethods).GetField(fieldName, BindingFlags.Public | BindingFlags.Static)!;
        MethodTableAssert.MatchesDescriptor(field.GetValue(null)!, PdpbReflection.Descriptor.Services.Single(s => s.Name == "PD"));
    }

    [Fact]
    public void The_table_lists_each_method_once()
    {
        var names = typeof(PdServiceMethods).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => !f.IsLiteral)
            .Select(f => f.GetValue(null)!.ToString())
            .ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(21, names.Count);
    }
}
