using Microsoft.Data.Sqlite;

namespace TiKV.DevCluster.Storage;

/// <summary>The fold: a frozen memtable copied into the main tables in one sorted transaction.</summary>
internal sealed partial class SqliteStorageEngine
{
    // A failed fold (the main database locked past the busy timeout, disk full) is retried after this pause; its
    // operations stay readable in the memtable and durable in the log meanwhile.
    private static readonly TimeSpan FoldRetryDelay = TimeSpan.FromSeconds(1);

    private long _foldedSequence;
    private Exception? _foldFailure;

    private async Task FoldLoopAsync()
    {
        // Once a layer is given up, no later one may be folded: the recorded folded sequence would then pass over
        // the abandoned layer's operations, and the next open would not replay them.
        var abandoned = false;
        await foreach (var layer in _folds.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            abandoned = abandoned || !await FoldWithRetryAsync(layer).ConfigureAwait(false);
            layer.Folded.TrySetResult(!abandoned);
        }
    }

    /// <summary>Folds <paramref name="layer"/>; false if it was given up because the engine is closing.</summary>
    private async Task<bool> FoldWithRetryAsync(DurableMemtable layer)
    {
        while (true)
        {
            try
            {
                Fold(layer);
                return true;
            }
            catch (SqliteException ex)
            {
                Volatile.Write(ref _foldFailure, ex);
            }

            try
            {
                await Task.Delay(FoldRetryDelay, _timeProvider, _closing.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    private void Fold(DurableMemtable layer)
    {
        try
        {
            _writer.Begin();
            for (var cf = ColumnFamily.Default; cf <= ColumnFamily.Write; cf++)
            {
                // Every entry of a layer is newer than the layer's delete-ranges covering it, so ranges go first.
                foreach (var range in layer.RangesInOrder(cf))
                {
                    _writer.DeleteRange(cf, range.Start, range.End);
                }

                foreach (var entry in layer.Entries(cf))
                {
                    if (entry.Value is null)
                    {
                        _writer.Delete(cf, entry.StoredKey);
                    }
                    else
                    {
                        _writer.Put(cf, entry.StoredKey, entry.Value);
                    }
                }
            }

            _writer.SetFoldedSequence(layer.LastSequence);
            layer.MarkFoldCommitting();
            _writer.Commit();
        }
        catch (SqliteException)
        {
            TryRollback(_writer.Rollback);
            throw;
        }

        lock (_memtableLock)
        {
            if (ReferenceEquals(_frozen, layer))
            {
                _frozen = null;
            }
        }

        Volatile.Write(ref _foldedSequence, layer.LastSequence);
        Volatile.Write(ref _foldFailure, null);
    }
}
