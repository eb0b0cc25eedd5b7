using System.Text.Json.Serialization;

namespace TiKV.Cli.Commands;

/// <summary>The playground's ready file: <c>{"pd":["host:port"],"stores":[{"id":1,"address":"host:port","status_address":"host:port"}]}</c>.</summary>
/// <param name="Pd">PD endpoints.</param>
/// <param name="Stores">The stores.</param>
internal sealed record ReadyFile(
    [property: JsonPropertyName("pd")] IReadOnlyList<string> Pd,
    [property: JsonPropertyName("stores")] IReadOnlyList<ReadyStore> Stores);

/// <summary>One store in the ready file.</summary>
/// <param name="Id">Store id.</param>
/// <param name="Address">gRPC address.</param>
/// <param name="StatusAddress">Status address.</param>
internal sealed record ReadyStore(
    [property: JsonPropertyName("id")] ulong Id,
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("status_address")] string StatusAddress);

/// <summary>Source-generated JSON for the ready file.</summary>
[JsonSerializable(typeof(ReadyFile))]
internal sealed partial class PlaygroundJsonContext : JsonSerializerContext;
