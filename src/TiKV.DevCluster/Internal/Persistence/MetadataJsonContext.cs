using System.Text.Json.Serialization;

namespace TiKV.DevCluster.Internal.Persistence;

/// <summary>Source-generated JSON for <see cref="ClusterMetadata"/>.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ClusterMetadata))]
internal sealed partial class MetadataJsonContext : JsonSerializerContext;
