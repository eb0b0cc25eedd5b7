using System.Runtime.CompilerServices;
using TiKV.Client.Locate.Internal;
using TiKV.Client.Raw.Internal;
using TiKV.Client.Retry.Internal;

namespace TiKV.Client.Internal;

/// <summary>
/// The request plan of the raw and transactional APIs — the one place where routing and retry happen: locate the region(s),
/// split keys by region and by batch limits, send to every region's leader in parallel, and when a region
/// changed under a request re-split just that request's keys through the refreshed cache, all under one
/// backoff budget per operation.
/// </summary>
internal sealed class RequestPlan
{
    private readonly ClientCore _core;

    public RequestPlan(ClientCore core) => _core = core;

    public ClientCore Core => _core;

    public Backoffer NewBackoffer(string operation) =>
        new(operation, _core.Options.RawOperationBudget, _core.Options.TimeProvider);

    /// <summary>A backoffer with its own budget (transactional operations have per-kind budgets).</summary>
    public Backoffer NewBackoffer(string operation, TimeSpan budget) =>
        new(operation, budget, _core.Options.TimeProvider);

    /// <summary>
    /// Sends a request about one key to the region holding it, re-locating until it lands. The returned
    /// ValueTask comes from a pooled state machine: await it once.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<TResponse> SingleKeyAsync<TResponse>(ReadOnlyMemory<byte> key, StoreRequest<TResponse> request, CancellationToken cancellationToken)
        where TResponse : class
    {
        var backoffer = NewBackoffer(request.Command);
        while (true)
        {
            var region = await _core.Regions.LocateKeyAsync(key, backoffer, cancellationToken).ConfigureAwait(false);
            var response = await _core.Sender.SendAsync(backoffer, region, request, cancellationToken).ConfigureAwait(false);
            if (response is not null)
            {
                return response;
            }
        }
    }

    /// <summary>Sends a request confined to one region (chosen by <paramref name="locate"/>); returns the response and the region it went to.</summary>
    public async Task<(TResponse Response, CachedRegion Region)> RegionAsync<TResponse>(
        Backoffer backoffer,
        Func<Backoffer, ValueTask<CachedRegion>> locate,
        Func<CachedRegion, StoreRequest<TResponse>> build,
        CancellationToken cancellationToken)
        where TResponse : class
    {
        while (true)
        {
            var region = await locate(backoffer).ConfigureAwait(false);
            var response = await _core.Sender.SendAsync(backoffer, region, build(region), cancellationToken).ConfigureAwait(false);
            if (response is not null)
            {
                return (response, region);
            }
        }
    }

    /// <summary>
    /// Groups items (sorted by key) by region, cuts each group into batches, sends all batches in parallel
    /// and hands each response to <paramref name="onResponse"/>. A batch whose region changed is re-planned
    /// on its own.
    /// </summary>
    public async Task BatchAsync<TItem, TResponse>(
        Backoffer backoffer,
        ArraySegment<TItem> sortedItems,
        Func<TItem, byte[]> keyOf,
        Func<TItem, int> sizeOf,
        Func<ArraySegment<TItem>, StoreRequest<TResponse>> build,
        Action<ArraySegment<TItem>, TResponse> onResponse,
        CancellationToken cancellationToken)
        where TResponse : class
    {
        var shape = new BatchShape<TItem>(keyOf, sizeOf, _core.Options.RawBatchSize, _core.Options.RawBatchPairCount);
        await SendAllAsync(backoffer, sortedItems, shape, build, OnResponse, cancellationToken).ConfigureAwait(false);

        ValueTask<bool> OnResponse(ArraySegment<TItem> batch, TResponse response)
        {
            onResponse(batch, response);
            return ValueTask.FromResult(false);
        }
    }

    /// <summary>
    /// Plans items (sorted by key) into region batches within <paramref name="shape"/> and sends them all in
    /// parallel through <see cref="SendPlannedAsync"/>.
    /// </summary>
    public async Task SendAllAsync<TItem, TResponse>(
        Backoffer backoffer,
        ArraySegment<TItem> sortedItems,
        BatchShape<TItem> shape,
        Func<ArraySegment<TItem>, StoreRequest<TResponse>> build,
        Func<ArraySegment<TItem>, TResponse, ValueTask<bool>> onResponse,
        CancellationToken cancellationToken)
        where TResponse : class
    {
        var batches = await PlanAsync(backoffer, sortedItems, shape, cancellationToken).ConfigureAwait(false);
        await SendBatchesAsync(backoffer, batches, shape, build, onResponse, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Groups items (sorted by the key <see cref="BatchShape{TItem}.KeyOf"/> locates them by) by region and cuts
    /// each group into batches within the shape's limits, in key order.
    /// </summary>
    public async Task<List<(CachedRegion Region, ArraySegment<TItem> Batch)>> PlanAsync<TItem>(
        Backoffer backoffer,
        ArraySegment<TItem> sortedItems,
        BatchShape<TItem> shape,
        CancellationToken cancellationToken)
    {
        var groups = await GroupByRegionAsync(backoffer, sortedItems, shape.KeyOf, cancellationToken).ConfigureAwait(false);
        var batches = new List<(CachedRegion, ArraySegment<TItem>)>(groups.Count);
        foreach (var (region, items) in groups)
        {
            foreach (var batch in BatchSplitter.Split(items, shape.SizeOf, shape.MaxBytes, shape.MaxCount))
            {
                batches.Add((region, batch));
            }
        }

        return batches;
    }

    /// <summary>
    /// Sends one planned batch. When its region changed under it, the batch is re-planned through the refreshed
    /// cache and the parts are sent in parallel the same way. <paramref name="onResponse"/> returns true to send the
    /// batch again (e.g. after the caller resolved the locks that blocked it); the repeat is routed afresh.
    /// </summary>
    public async Task SendPlannedAsync<TItem, TResponse>(
        Backoffer backoffer,
        CachedRegion region,
        ArraySegment<TItem> batch,
        BatchShape<TItem> shape,
        Func<ArraySegment<TItem>, StoreRequest<TResponse>> build,
        Func<ArraySegment<TItem>, TResponse, ValueTask<bool>> onResponse,
        CancellationToken cancellationToken)
        where TResponse : class
    {
        while (true)
        {
            var response = await _core.Sender.SendAsync(backoffer, region, build(batch), cancellationToken).ConfigureAwait(false);
            if (response is not null)
            {
                if (!await onResponse(batch, response).ConfigureAwait(false))
                {
                    return;
                }

                if (region.IsValid)
                {
                    continue;
                }
            }

            await SendAllAsync(backoffer, batch, shape, build, onResponse, cancellationToken).ConfigureAwait(false);
            return;
        }
    }

    private Task SendBatchesAsync<TItem, TResponse>(
        Backoffer backoffer,
        List<(CachedRegion Region, ArraySegment<TItem> Batch)> batches,
        BatchShape<TItem> shape,
        Func<ArraySegment<TItem>, StoreRequest<TResponse>> build,
        Func<ArraySegment<TItem>, TResponse, ValueTask<bool>> onResponse,
        CancellationToken cancellationToken)
        where TResponse : class
    {
        if (batches.Count == 1)
        {
            return SendPlannedAsync(backoffer, batches[0].Region, batches[0].Batch, shape, build, onResponse, cancellationToken);
        }

        var tasks = new Task[batches.Count];
        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = SendPlannedAsync(backoffer, batches[i].Region, batches[i].Batch, shape, build, onResponse, cancellationToken);
        }

        return Task.WhenAll(tasks);
    }

    private async Task<List<(CachedRegion Region, ArraySegment<TItem> Items)>> GroupByRegionAsync<TItem>(
        Backoffer backoffer,
        ArraySegment<TItem> sortedItems,
        Func<TItem, byte[]> keyOf,
        CancellationToken cancellationToken)
    {
        var groups = new List<(CachedRegion, ArraySegment<TItem>)>();
        var i = 0;
        while (i < sortedItems.Count)
        {
            var region = await _core.Regions.LocateKeyAsync(keyOf(sortedItems[i]), backoffer, cancellationToken).ConfigureAwait(false);
            var start = i;
            i++;
            while (i < sortedItems.Count && region.Contains(keyOf(sortedItems[i])))
            {
                i++;
            }

            groups.Add((region, sortedItems.Slice(start, i - start)));
        }

        return groups;
    }
}
