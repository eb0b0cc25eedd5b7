namespace TiKV.Client;

/// <summary>A key range <c>[StartKey, EndKey)</c>; an empty end key means "to the end of the key space".</summary>
/// <param name="StartKey">Inclusive start.</param>
/// <param name="EndKey">Exclusive end; empty for +inf.</param>
public readonly record struct KeyRange(ReadOnlyMemory<byte> StartKey, ReadOnlyMemory<byte> EndKey);
