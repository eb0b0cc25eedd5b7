using System.Buffers;
using Microsoft.Data.Sqlite;

namespace TiKV.DevCluster.Storage;

/// <summary>Group commit into the write-ahead log and the memtable.</summary>
internal sealed partial class SqliteStorageEngine
{
    // The log record buffer is reused between commits; one grown past this by a huge group is let go afterwards.
    private const int RecordBufferBytes = 64 * 1024;
    private const int MaxKeptRecordBufferBytes = 4 << 20;

    // How often a writer held back by a full memtable re-checks whether the fold it waits for has failed.
    private static readonly TimeSpan BackpressurePoll = TimeSpan.FromMilliseconds(50);

    // The memtable lock guards which layers are active and frozen and every change to the active layer, so a
    // reader collecting from the memtable sees whole batches only.
    private readonly Lock _memtableLock = new();
    private DurableMemtable _active = new();
    private DurableMemtable? _frozen;

    // Owned by the write loop (and by the constructor before it starts).
    private long _sequence;
    private long _truncatedSequence = -1;
    private ArrayBufferWriter<byte> _record = new(RecordBufferBytes);

    /// <inheritdoc />
    public ValueTask WriteAsync(WriteBatch batch, CancellationToken cancellationToken = default)
    {
        if (WriteBatch.Precheck(batch, cancellationToken) is { } settled)
        {
            return new ValueTask(settled);
        }

        var pending = new PendingWrite(batch);
        if (!_queue.Writer.TryWrite(pending))
        {
            return ValueTask.FromException(new ObjectDisposedException(nameof(SqliteStorageEngine)));
        }

        // Once queued the batch will be applied whatever the caller does, so cancellation is not observed here.
        return new ValueTask(pending.Completion.Task);
    }

    /// <summary>Loads the operations logged after the last fold into the memtable (what the crash left unfolded).</summary>
    private void Replay()
    {
        var folded = _writer.FoldedSequence();
        _foldedSequence = folded;
        _log.ReadAfter(folded, (sequence, op) =>
        {
            _active.Apply(op);
            _active.LastSequence = sequence;
        });
        _sequence = Math.Max(folded, _log.LastSequence());
        _active.LastSequence = _sequence;
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var group = new List<PendingWrite>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            group.Clear();
            while (group.Count < _maxBatchesPerCommit && reader.TryRead(out var pending))
            {
                group.Add(pending);
            }

            if (_active.Bytes >= _maxMemtableBytes && await MakeRoomAsync().ConfigureAwait(false) is { } failure)
            {
                Fail(group, failure);
                continue;
            }

            CommitGroup(group);
            if (Volatile.Read(ref _frozen) is null && _active.Bytes >= _foldBytes)
            {
                Freeze();
            }
        }

        await FoldLastAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Backpressure: the memtable is full while the previous one is still being folded, so wait for that fold
    /// and freeze this one. Returns the fold's failure instead when it keeps failing (the disk is full, say): the
    /// waiting batches fail rather than hang, and are not applied.
    /// </summary>
    private async Task<Exception?> MakeRoomAsync()
    {
        if (Volatile.Read(ref _frozen) is { } frozen)
        {
            while (!frozen.Folded.Task.IsCompleted)
            {
                if (Volatile.Read(ref _foldFailure) is { } failure)
                {
                    return failure;
                }

                await Task.WhenAny(frozen.Folded.Task, Task.Delay(BackpressurePoll, _timeProvider)).ConfigureAwait(false);
            }

            if (!await frozen.Folded.Task.ConfigureAwait(false))
            {
                // The fold was given up because the engine is closing: nothing more may be frozen behind it.
                return new ObjectDisposedException(nameof(SqliteStorageEngine));
            }
        }

        Freeze();
        return null;
    }

    private void CommitGroup(List<PendingWrite> group)
    {
        var first = _sequence;
        var folded = Volatile.Read(ref _foldedSequence);
        try
        {
            _log.Begin();

            // Dropping the folded prefix rides along with a commit instead of costing one of its own.
            if (folded > _truncatedSequence)
            {
                _log.Truncate(folded);
            }

            _record.ResetWrittenCount();
            foreach (var pending in group)
            {
                DurableLogRecord.Write(_record, pending.Batch.Operations);
                _sequence += pending.Batch.Count;
            }

            _log.Append(_sequence, _record.WrittenSpan);
            _log.Commit();
        }
        catch (SqliteException ex)
        {
            // Only storage failures (disk full, I/O error) reach here: batches are validated before queueing.
            TryRollback(_log.Rollback);
            _sequence = first;
            Fail(group, ex);
            return;
        }

        _truncatedSequence = Math.Max(_truncatedSequence, folded);
        if (_record.Capacity > MaxKeptRecordBufferBytes)
        {
            _record = new ArrayBufferWriter<byte>(RecordBufferBytes);
        }

        lock (_memtableLock)
        {
            foreach (var pending in group)
            {
                var operations = pending.Batch.Operations;
                for (var i = 0; i < operations.Count; i++)
                {
                    _active.Apply(operations[i]);
                }
            }

            _active.LastSequence = _sequence;
        }

        foreach (var pending in group)
        {
            pending.Completion.TrySetResult();
        }
    }

    /// <summary>Makes the active memtable the frozen one and hands it to the fold. No other may be frozen.</summary>
    private void Freeze()
    {
        DurableMemtable frozen;
        lock (_memtableLock)
        {
            frozen = _active;
            _active = new DurableMemtable { LastSequence = frozen.LastSequence };
            _frozen = frozen;
        }

        _folds.Writer.TryWrite(frozen);
    }

    /// <summary>At close: folds what the memtable holds once the fold under way (if any) has finished.</summary>
    private async Task FoldLastAsync()
    {
        var folded = Volatile.Read(ref _frozen) is not { } frozen || await frozen.Folded.Task.ConfigureAwait(false);
        if (folded && !_active.IsEmpty)
        {
            Freeze();
        }

        _folds.Writer.TryComplete();
    }

    /// <summary>At close, after the last fold: drops the folded prefix of the log so the next open replays less.</summary>
    private void TruncateFoldedLog()
    {
        var folded = Volatile.Read(ref _foldedSequence);
        if (folded <= _truncatedSequence)
        {
            return;
        }

        try
        {
            _log.Begin();
            _log.Truncate(folded);
            _log.Commit();
        }
        catch (SqliteException)
        {
            // Harmless: the next open skips log rows the main tables already hold.
            TryRollback(_log.Rollback);
        }
    }

    private static void Fail(List<PendingWrite> group, Exception failure)
    {
        foreach (var pending in group)
        {
            pending.Completion.TrySetException(failure);
        }
    }

    private static void TryRollback(Action rollback)
    {
        try
        {
            rollback();
        }
        catch (SqliteException)
        {
            // The transaction is already gone (SQLite rolls back by itself on some errors).
        }
    }

    private sealed class PendingWrite(WriteBatch batch)
    {
        public WriteBatch Batch { get; } = batch;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
