using Google.Protobuf;
using TiKV.DevCluster.Internal.Keys;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Internal.Store;

/// <summary>
/// The raw API's writes, following TiKV's <c>Storage::raw_*</c> (checks in <c>TikvService.RawChecks.cs</c>): keys
/// outside the region fail with KeyNotInRegion at apply time; compare-and-swap reads through the region snapshot
/// first, so a key outside it fails with an error string.
/// </summary>
internal sealed partial class TikvService
{
    private async ValueTask<RawPutResponse> RawPutAsync(RawPutRequest request, CancellationToken cancellationToken)
    {
        var response = new RawPutResponse();
        if (CheckRawWrite(request.Context, "raw_put", request.ForCas, request.Cf, request.Key.Memory, out var cf) is { } error)
        {
            response.Error = error;
            return response;
        }

        var key = request.Key.ToByteArray();
        if (RejectWrite(request.Context, [key], key.Length + request.Value.Length, out var region, out var regionError))
        {
            response.RegionError = regionError;
            return response;
        }

        var entries = new[] { (key, request.Value.ToByteArray(), request.Ttl) };
        await WriteRawAsync(request.ForCas, () => _cluster.Raw.PutAsync(cf, entries, cancellationToken), cancellationToken).ConfigureAwait(false);
        _cluster.SplitChecker.OnWrite(region.Id, 1, key.Length + request.Value.Length);
        return response;
    }

    private async ValueTask<RawBatchPutResponse> RawBatchPutAsync(RawBatchPutRequest request, CancellationToken cancellationToken)
    {
        var response = new RawBatchPutResponse();
        if ((CheckRawWrite(request.Context, "raw_batch_put", request.ForCas, request.Cf, key: null, out var cf)
            ?? CheckKeySize(request.Pairs.Select(p => p.Key.Memory))) is { } error)
        {
            response.Error = error;
            return response;
        }

        // One TTL applies to every pair (compatibility with old clients); otherwise one TTL per pair.
        var ttls = request.Ttls.Count switch
        {
            0 => Enumerable.Repeat(0UL, request.Pairs.Count).ToList(),
            1 => Enumerable.Repeat(request.Ttls[0], request.Pairs.Count).ToList(),
            _ => [.. request.Ttls],
        };
        if (ttls.Count != request.Pairs.Count)
        {
            response.Error = "The length of ttls does not equal to the length of pairs";
            return response;
        }

        if (request.Pairs.Count == 0)
        {
            response.Error = "an empty request";
            return response;
        }

        var entries = request.Pairs.Select((p, i) => (p.Key.ToByteArray(), p.Value.ToByteArray(), ttls[i])).ToList();
        var size = entries.Sum(e => (long)e.Item1.Length + e.Item2.Length);
        if (RejectWrite(request.Context, entries.Select(e => e.Item1), size, out var region, out var regionError))
        {
            response.RegionError = regionError;
            return response;
        }

        await WriteRawAsync(request.ForCas, () => _cluster.Raw.PutAsync(cf, entries, cancellationToken), cancellationToken).ConfigureAwait(false);
        _cluster.SplitChecker.OnWrite(region.Id, entries.Count, size);
        return response;
    }

    private async ValueTask<RawDeleteResponse> RawDeleteAsync(RawDeleteRequest request, CancellationToken cancellationToken)
    {
        var response = new RawDeleteResponse();
        if (CheckRawWrite(request.Context, "raw_delete", request.ForCas, request.Cf, request.Key.Memory, out var cf) is { } error)
        {
            response.Error = error;
            return response;
        }

        var key = request.Key.ToByteArray();
        if (RejectWrite(request.Context, [key], key.Length, out _, out var regionError))
        {
            response.RegionError = regionError;
            return response;
        }

        await WriteRawAsync(request.ForCas, () => _cluster.Raw.DeleteAsync(cf, [key], cancellationToken), cancellationToken).ConfigureAwait(false);
        return response;
    }

    private async ValueTask<RawBatchDeleteResponse> RawBatchDeleteAsync(RawBatchDeleteRequest request, CancellationToken cancellationToken)
    {
        var response = new RawBatchDeleteResponse();
        if ((CheckRawWrite(request.Context, "raw_batch_delete", request.ForCas, request.Cf, key: null, out var cf)
            ?? CheckKeySize(request.Keys.Select(k => k.Memory))) is { } error)
        {
            response.Error = error;
            return response;
        }

        if (request.Keys.Count == 0)
        {
            response.Error = "an empty request";
            return response;
        }

        var keys = request.Keys.Select(k => k.ToByteArray()).ToList();
        if (RejectWrite(request.Context, keys, keys.Sum(k => (long)k.Length), out _, out var regionError))
        {
            response.RegionError = regionError;
            return response;
        }

        await WriteRawAsync(request.ForCas, () => _cluster.Raw.DeleteAsync(cf, keys, cancellationToken), cancellationToken).ConfigureAwait(false);
        return response;
    }

    private async ValueTask<RawDeleteRangeResponse> RawDeleteRangeAsync(RawDeleteRangeRequest request, CancellationToken cancellationToken)
    {
        var response = new RawDeleteRangeResponse();

        // raw_delete_range checks the key sizes before the API version.
        if (CheckKeySize([request.StartKey.Memory, request.EndKey.Memory]) is { } sizeError)
        {
            response.Error = sizeError;
            return response;
        }

        if (CheckRawWrite(request.Context, "raw_delete_range", forCas: false, request.Cf, key: null, out var cf) is { } error)
        {
            response.Error = error;
            return response;
        }

        if (RejectContext(request.Context, readOnly: false, out var region, out var regionError))
        {
            response.RegionError = regionError;
            return response;
        }

        var start = request.StartKey.ToByteArray();
        var end = request.EndKey.ToByteArray();
        if (CheckDeleteRange(region, start, end) is { } rangeError)
        {
            response.RegionError = rangeError;
            return response;
        }

        await _cluster.Raw.DeleteRangeAsync(cf, start, end, cancellationToken).ConfigureAwait(false);
        return response;
    }

    private async ValueTask<RawCASResponse> RawCompareAndSwapAsync(RawCASRequest request, CancellationToken cancellationToken)
    {
        var response = new RawCASResponse();
        if (CheckRawWrite(request.Context, "raw_compare_and_swap", forCas: false, request.Cf, key: null, out var cf) is { } error)
        {
            response.Error = error;
            return response;
        }

        if (RejectContext(request.Context, readOnly: false, out var region, out var regionError))
        {
            response.RegionError = regionError;
            return response;
        }

        // The command reads the current value through the region snapshot first: a key outside the region fails
        // that read, which TiKV reports as an error string.
        if (!region.Contains(request.Key.Span))
        {
            response.Error = RegionErrors.KeyOutOfRangeMessage(request.Key.Span, region);
            return response;
        }

        var key = request.Key.ToByteArray();
        var expected = request.PreviousNotExist ? null : request.PreviousValue.ToByteArray();
        var (previous, succeeded) = await _cluster.Raw.CompareAndSwapAsync(
            cf, key, expected, request.Value.ToByteArray(), request.Ttl, request.Delete, cancellationToken).ConfigureAwait(false);
        if (previous is null)
        {
            response.PreviousNotExist = true;
        }
        else
        {
            response.PreviousValue = UnsafeByteOperations.UnsafeWrap(previous);
        }

        response.Succeed = succeeded;
        if (succeeded)
        {
            _cluster.SplitChecker.OnWrite(region.Id, 1, key.Length + request.Value.Length);
        }

        return response;
    }

    /// <summary>
    /// Apply-time checks of a delete-range: start &lt; end unless end is empty (else a message-only region error),
    /// start in the region, end not beyond the region's end (KeyNotInRegion).
    /// </summary>
    private static Proto.Errorpb.Error? CheckDeleteRange(Regions.RegionState region, byte[] start, byte[] end)
    {
        if (end.Length != 0 && start.AsSpan().SequenceCompareTo(end) >= 0)
        {
            return RegionErrors.Message(
                $"\"invalid delete range command, start_key: {RustBytes(start)}, end_key: {RustBytes(end)}\"");
        }

        if (!region.Contains(start))
        {
            return RegionErrors.KeyNotInRegion(start, region);
        }

        return KeyComparer.CompareEnd(end, region.EndKey) > 0 ? RegionErrors.KeyNotInRegion(end, region) : null;
    }

    /// <summary>Rust's Debug form of a byte vector.</summary>
    private static string RustBytes(byte[] bytes) => "[" + string.Join(", ", bytes) + "]";

    private async Task WriteRawAsync(bool atomic, Func<ValueTask> write, CancellationToken cancellationToken)
    {
        if (atomic)
        {
            await _cluster.Raw.RunAtomicAsync(
                async () =>
                {
                    await write().ConfigureAwait(false);
                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await write().ConfigureAwait(false);
        }
    }
}
