using Google.Protobuf;
using TiKV.Client.Txn.Internal;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Client;

public sealed partial class Transaction
{
    /// <summary>
    /// Sets <paramref name="key"/> to <paramref name="value"/> in the transaction. In pessimistic mode the key is
    /// locked first (waiting for other holders, see <see cref="TransactionOptions.LockWaitTimeout"/>); in optimistic
    /// mode this only buffers the write. Empty values are allowed.
    /// </summary>
    public async ValueTask PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        var (k, v) = ValidateWrite(key, value);
        if (Pessimistic)
        {
            await LockCoreAsync([k], cancellationToken).ConfigureAwait(false);
        }

        Write(k, BufferOp.Put, v);
    }

    /// <summary>Sets the UTF-8 <paramref name="key"/> to the UTF-8 <paramref name="value"/> (see the byte overload).</summary>
    public ValueTask PutAsync(string key, string value, CancellationToken cancellationToken = default) =>
        PutAsync(TxnArguments.Utf8(key, nameof(key)), TxnArguments.Utf8(value, nameof(value)), cancellationToken);

    /// <summary>
    /// Buffers a write of <paramref name="key"/> without any I/O, in either mode: the key is checked for conflicting
    /// writers only when the transaction commits.
    /// </summary>
    public void Set(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value)
    {
        var (k, v) = ValidateWrite(key, value);
        Write(k, BufferOp.Put, v);
    }

    /// <summary>Buffers a write of the UTF-8 <paramref name="key"/> (see the byte overload).</summary>
    public void Set(string key, string value) => Set(TxnArguments.Utf8(key, nameof(key)), TxnArguments.Utf8(value, nameof(value)));

    /// <summary>Deletes <paramref name="key"/> in the transaction (locking it first in pessimistic mode).</summary>
    public async ValueTask DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        EnsureActive();
        TxnArguments.ValidateKey(key.Span, ClientOptions, nameof(key));
        var k = key.ToArray();
        if (Pessimistic)
        {
            await LockCoreAsync([k], cancellationToken).ConfigureAwait(false);
        }

        Write(k, BufferOp.Delete, []);
    }

    /// <summary>Deletes the UTF-8 <paramref name="key"/> in the transaction.</summary>
    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        DeleteAsync(TxnArguments.Utf8(key, nameof(key)), cancellationToken);

    /// <summary>
    /// Sets <paramref name="key"/> only if it does not exist. Optimistic transactions learn at commit: the prewrite
    /// fails with <see cref="KeyAlreadyExistsException"/> (TiKV's AlreadyExist). Pessimistic transactions lock the key
    /// and fail at once if it exists. A key this transaction already wrote is judged by that write.
    /// </summary>
    public async ValueTask InsertAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        var (k, v) = ValidateWrite(key, value);
        if (Pessimistic)
        {
            await LockCoreAsync([k], cancellationToken).ConfigureAwait(false);
        }

        var op = BufferOp.Insert;
        if (_buffer.TryGet(k, out var entry) && entry.TryRead(out var existing))
        {
            if (existing is not null)
            {
                throw TxnErrors.FromKeyError(new KeyError { AlreadyExist = new AlreadyExist { Key = ByteString.CopyFrom(k) } }, "Insert");
            }

            // Deleted by this transaction (or seen absent under its lock): a plain write is what it means now.
            op = BufferOp.Put;
        }

        Write(k, op, v);
    }

    /// <summary>Inserts the UTF-8 <paramref name="key"/> (see the byte overload).</summary>
    public ValueTask InsertAsync(string key, string value, CancellationToken cancellationToken = default) =>
        InsertAsync(TxnArguments.Utf8(key, nameof(key)), TxnArguments.Utf8(value, nameof(value)), cancellationToken);

    /// <summary>
    /// Locks keys without writing them. Pessimistic transactions take TiKV pessimistic locks now (at a fresh
    /// for_update_ts, waiting up to <see cref="TransactionOptions.LockWaitTimeout"/> for other holders; a wait that
    /// would deadlock fails with <see cref="DeadlockException"/>); afterwards reads of these keys return their latest
    /// committed values and the commit cannot conflict on them. Optimistic transactions only mark the keys so that
    /// the commit fails if another transaction wrote them after <see cref="StartTimestamp"/>.
    /// </summary>
    public async Task LockKeysAsync(IEnumerable<byte[]> keys, CancellationToken cancellationToken = default)
    {
        EnsureActive();
        var array = TxnArguments.Keys(keys, ClientOptions, nameof(keys));
        if (Pessimistic)
        {
            await LockCoreAsync(array, cancellationToken).ConfigureAwait(false);
            return;
        }

        foreach (var key in array)
        {
            var entry = _buffer.GetOrAdd(key);
            if (entry.Op == BufferOp.None)
            {
                entry.Op = BufferOp.Lock;
            }
        }
    }

    /// <summary>Locks the UTF-8 <paramref name="keys"/> (see the byte overload).</summary>
    public Task LockKeysAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default) =>
        LockKeysAsync(TxnArguments.Keys(keys, nameof(keys)), cancellationToken);

    /// <summary>Locks the UTF-8 <paramref name="keys"/> (see the byte overload).</summary>
    public Task LockKeysAsync(params string[] keys) => LockKeysAsync((IEnumerable<string>)keys);

    private (byte[] Key, byte[] Value) ValidateWrite(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value)
    {
        EnsureActive();
        TxnArguments.ValidateKey(key.Span, ClientOptions, nameof(key));
        TxnArguments.ValidateValue(value.Span, ClientOptions, nameof(value));
        return (key.ToArray(), value.ToArray());
    }

    private void Write(byte[] key, BufferOp op, byte[] value)
    {
        EnsureActive();
        var entry = _buffer.GetOrAdd(key);
        entry.Op = op;
        entry.Value = value;
    }
}
