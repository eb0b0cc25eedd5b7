namespace TiKV.DevCluster.Storage;

/// <summary>One operation of a <see cref="WriteBatch"/>.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="Cf">The column family it applies to.</param>
/// <param name="Key">The key, or the inclusive start of a range.</param>
/// <param name="Value">The value of a put; empty otherwise.</param>
/// <param name="End">The exclusive end of a range (empty = unbounded); empty otherwise.</param>
internal readonly record struct WriteOperation(WriteOperationKind Kind, ColumnFamily Cf, byte[] Key, byte[] Value, byte[] End);
