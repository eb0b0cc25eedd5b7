namespace TiKV.Client.Raw.Internal;

/// <summary>
/// Cuts the keys bound for one region into requests of at most <c>maxCount</c> items and about
/// <c>maxSize</c> bytes — a batch closes once it reaches either limit, as client-go's appendBatchKeysBySize does.
/// </summary>
internal static class BatchSplitter
{
    public static List<ArraySegment<T>> Split<T>(ArraySegment<T> items, Func<T, int> sizeOf, int maxSize, int maxCount)
    {
        var result = new List<ArraySegment<T>>();
        var start = 0;
        var size = 0;
        for (var i = 0; i < items.Count; i++)
        {
            size += sizeOf(items[i]);
            var count = i - start + 1;
            if (size >= maxSize || count >= maxCount)
            {
                result.Add(items.Slice(start, count));
                start = i + 1;
                size = 0;
            }
        }

        if (start < items.Count)
        {
            result.Add(items.Slice(start));
        }

        return result;
    }
}
