namespace TiKV.Client.Raw.Internal;

/// <summary>How the request plan groups and cuts items into per-region batches.</summary>
/// <param name="KeyOf">The key the item is located by (for transactional keys, their memcomparable encoding).</param>
/// <param name="SizeOf">The bytes the item adds to a request.</param>
/// <param name="MaxBytes">A batch closes once it reaches this many bytes.</param>
/// <param name="MaxCount">A batch closes once it holds this many items.</param>
internal sealed record BatchShape<TItem>(Func<TItem, byte[]> KeyOf, Func<TItem, int> SizeOf, int MaxBytes, int MaxCount);
