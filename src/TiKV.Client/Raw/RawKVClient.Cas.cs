using TiKV.Client.Diagnostics.Internal;
using TiKV.Client.Raw.Internal;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client;

public sealed partial class RawKVClient
{
    /// <summary>
    /// Atomically sets <paramref name="key"/> to <paramref name="newValue"/> if its current value equals
    /// <paramref name="previousValue"/> (null: if the key does not exist). Returns whether it swapped and the
    /// value found (null if the key did not exist). Requires atomic-for-CAS mode
    /// (<see cref="TiKVClientOptions.AtomicForCas"/> or <see cref="WithAtomicForCas"/>), as client-go does, so
    /// plain puts and deletes cannot interleave with it. A CAS that fails in a way that may have applied it
    /// throws <see cref="UndeterminedResultException"/> instead of being retried.
    /// </summary>
    public ValueTask<(bool Swapped, byte[]? PreviousValue)> CompareAndSwapAsync(
        ReadOnlyMemory<byte> key,
        byte[]? previousValue,
        ReadOnlyMemory<byte> newValue,
        TimeSpan? ttl = null,
        CancellationToken cancellationToken = default)
    {
        if (!AtomicForCas)
        {
            throw new InvalidOperationException(
                "CompareAndSwap needs atomic-for-CAS mode: set TiKVClientOptions.AtomicForCas or use Raw.WithAtomicForCas(), " +
                "so that puts and deletes on the same keys are serialised with it.");
        }

        ValidateKey(key.Span, nameof(key));
        if (previousValue is not null)
        {
            ValidateValue(previousValue, nameof(previousValue));
        }

        ValidateValue(newValue.Span, nameof(newValue));
        var ttlSeconds = TtlSeconds(ttl, nameof(ttl));
        return CompareAndSwapCoreAsync(key, previousValue, newValue, ttlSeconds, cancellationToken);
    }

    /// <summary>Compare-and-swap with UTF-8 key and values (see the byte overload).</summary>
    public ValueTask<(bool Swapped, byte[]? PreviousValue)> CompareAndSwapAsync(
        string key,
        string? previousValue,
        string newValue,
        TimeSpan? ttl = null,
        CancellationToken cancellationToken = default) =>
        CompareAndSwapAsync(
            Utf8(key, nameof(key)),
            previousValue is null ? null : Utf8(previousValue, nameof(previousValue)),
            Utf8(newValue, nameof(newValue)),
            ttl,
            cancellationToken);

    private async ValueTask<(bool Swapped, byte[]? PreviousValue)> CompareAndSwapCoreAsync(
        ReadOnlyMemory<byte> key,
        byte[]? previousValue,
        ReadOnlyMemory<byte> newValue,
        ulong ttlSeconds,
        CancellationToken cancellationToken)
    {
        using var activity = ClientMetrics.ActivitySource.StartActivity("RawCompareAndSwap");
        var plan = await _owner.GetPlanAsync(cancellationToken).ConfigureAwait(false);
        var request = new RawCASRequest
        {
            Key = Wrap(key),
            Value = Wrap(newValue),
            PreviousNotExist = previousValue is null,
            PreviousValue = previousValue is null ? Google.Protobuf.ByteString.Empty : Wrap(previousValue),
            Cf = ColumnFamily,
            Ttl = ttlSeconds,
        };
        var response = await plan.SingleKeyAsync(key, RawRequests.CompareAndSwap(request), cancellationToken).ConfigureAwait(false);
        RawRequests.ThrowIfError(response.Error, "RawCompareAndSwap");
        return (response.Succeed, response.PreviousNotExist ? null : response.PreviousValue.ToByteArray());
    }
}
