using Google.Protobuf;
using TiKV.Client.Pd.Internal;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client.Txn.Internal;

/// <summary>
/// Keeps a transaction's primary lock alive while the transaction runs (client-go's ttlManager/keepAlive): every
/// interval it extends the primary's TTL to the transaction's age plus ManagedLockTTL with KvTxnHeartBeat, so readers
/// do not roll back a slow but live transaction. Stops at dispose, when the primary is gone, after a transaction age
/// of one hour, or after repeated failures.
/// </summary>
internal sealed class TtlManager : IAsyncDisposable
{
    private const int MaxConsecutiveFailures = 10;

    private readonly TxnCore _txn;
    private readonly ulong _startTs;
    private readonly byte[] _primary;
    private readonly TimeSpan _interval;
    private readonly ulong _managedTtlMs;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public TtlManager(TxnCore txn, ulong startTs, byte[] primary, TimeSpan interval, TimeSpan managedTtl)
    {
        _txn = txn;
        _startTs = startTs;
        _primary = primary;
        _interval = interval;
        _managedTtlMs = (ulong)managedTtl.TotalMilliseconds;
    }

    public void Start() => _loop ??= RunAsync(_stop.Token);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        try
        {
            while (true)
            {
                await Task.Delay(_interval, _txn.Time, cancellationToken).ConfigureAwait(false);
                try
                {
                    var now = await _txn.GetTimestampAsync(cancellationToken).ConfigureAwait(false);
                    var uptime = TsoMath.PhysicalMs(now) - TsoMath.PhysicalMs(_startTs);
                    if (uptime > TxnBudgets.MaxTxnTtlMs)
                    {
                        TxnLog.HeartbeatStopped(_txn.Logger, _startTs, "the transaction outlived max-txn-ttl");
                        return;
                    }

                    var backoffer = _txn.NewBackoffer("TxnHeartBeat", TxnBudgets.Heartbeat);
                    var response = await _txn.SendToKeyAsync(
                        backoffer,
                        _primary,
                        () => TxnRequests.TxnHeartBeat(new TxnHeartBeatRequest
                        {
                            PrimaryLock = ByteString.CopyFrom(_primary),
                            StartVersion = _startTs,
                            AdviseLockTtl = (ulong)Math.Max(0, uptime) + _managedTtlMs,
                        }),
                        cancellationToken).ConfigureAwait(false);
                    if (response.Error is { } error)
                    {
                        TxnLog.HeartbeatRejected(_txn.Logger, _startTs, error);
                        return;
                    }

                    failures = 0;
                }
                catch (TiKVException ex)
                {
                    TxnLog.HeartbeatFailed(_txn.Logger, _startTs, ex.Message);
                    if (++failures > MaxConsecutiveFailures)
                    {
                        TxnLog.HeartbeatStopped(_txn.Logger, _startTs, "too many consecutive failures");
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped by the transaction.
        }
        catch (ObjectDisposedException)
        {
            // The client shut down under the heartbeat.
        }
    }
}
