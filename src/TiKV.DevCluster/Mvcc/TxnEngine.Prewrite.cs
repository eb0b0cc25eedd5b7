using TiKV.Proto.Kvrpcpb;

namespace TiKV.DevCluster.Mvcc;

internal sealed partial class TxnEngine
{
    /// <summary>KvPrewrite (optimistic and pessimistic, async commit, 1PC), following commands/prewrite.rs.</summary>
    public async ValueTask<PrewriteResponse> PrewriteAsync(PrewriteRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new PrewriteResponse();
        PrewriteMutation[] mutations;
        byte[][] encodedKeys;
        try
        {
            mutations = BuildPrewriteMutations(request, out encodedKeys);
        }
        catch (MvccException ex)
        {
            response.Errors.Add(ex.KeyError);
            return response;
        }

        using var latch = await LatchAsync(encodedKeys, cancellationToken).ConfigureAwait(false);
        var props = new PrewriteContext(request);
        var txn = MvccTxn.Rent(props.StartTs, mutations.Length);
        List<KeyError>? lockErrors = null;
        ulong finalMinCommitTs = 0;
        try
        {
            finalMinCommitTs = RunPrewrite(props, mutations, txn, ref lockErrors);
        }
        catch (MvccException ex)
        {
            txn.Clear();
            ReleaseMemoryLocks(txn);
            response.Errors.Add(ex.KeyError);
            return response;
        }

        var asyncCommitTs = props.UseAsyncCommit ? finalMinCommitTs : 0;
        response.MinCommitTs = asyncCommitTs;
        if (lockErrors is not null)
        {
            // Any locked key fails the whole prewrite and nothing is written (TiKV's WriteData::default()).
            txn.Clear();
            ReleaseMemoryLocks(txn);
            response.Errors.AddRange(lockErrors);
            return response;
        }

        if (props.TryOnePc)
        {
            CommitOnePcLocks(txn, finalMinCommitTs);
            response.OnePcCommitTs = finalMinCommitTs;
        }

        await ApplyAsync(txn).ConfigureAwait(false);
        txn.Return();
        return response;
    }

    private static PrewriteMutation[] BuildPrewriteMutations(PrewriteRequest request, out byte[][] encodedKeys)
    {
        if (request.StartVersion == 0)
        {
            throw MvccErrors.BadRequest("prewrite: start_version must be set");
        }

        var source = request.Mutations;
        var mutations = new PrewriteMutation[source.Count];
        encodedKeys = new byte[source.Count][];
        Dictionary<uint, ulong>? constraints = null;
        var requestConstraints = request.ForUpdateTsConstraints;
        for (var i = 0; i < requestConstraints.Count; i++)
        {
            (constraints ??= [])[requestConstraints[i].Index] = requestConstraints[i].ExpectedForUpdateTs;
        }

        var isPessimistic = request.ForUpdateTs != 0;
        for (var i = 0; i < mutations.Length; i++)
        {
            var encoded = MvccKey.Encode(source[i].Key.Span);
            encodedKeys[i] = encoded;
            var mutation = new PrewriteMutation(source[i], encoded)
            {
                PessimisticAction = isPessimistic && i < request.PessimisticActions.Count
                    ? request.PessimisticActions[i]
                    : PrewriteRequest.Types.PessimisticAction.SkipPessimisticCheck,
            };
            if (isPessimistic && mutation.ShouldNotWrite)
            {
                throw MvccErrors.BadRequest("cannot handle checkNotExists in pessimistic prewrite");
            }

            if (constraints is not null && constraints.TryGetValue((uint)i, out var expected))
            {
                mutation.ExpectedForUpdateTs = expected;
            }

            mutations[i] = mutation;
        }

        return mutations;
    }

    /// <summary>The per-mutation loop of Prewriter::prewrite, with its 2PC fallbacks.</summary>
    private ulong RunPrewrite(PrewriteContext props, PrewriteMutation[] mutations, MvccTxn txn, ref List<KeyError>? lockErrors)
    {
        ulong finalMinCommitTs = 0;
        MvccException? assertionFailure = null;
        foreach (var mutation in mutations)
        {
            // The primary of an async-commit transaction records all secondaries; other keys record none.
            mutation.Secondaries = !props.UseAsyncCommit
                ? null
                : props.RequestSecondaries.Count > 0 && mutation.RawKey.Equals(props.Primary) ? props.RequestSecondaries : [];

            mutation.LockTtl = props.LockTtl;
            mutation.MinCommitTs = props.MinCommitTs;
            ulong ts;
            try
            {
                ts = PrewriteKey(props, mutation, txn);
            }
            catch (MvccException ex) when (ex.Kind == MvccErrorKind.WriteConflict && ex.KeyError.Conflict.ConflictCommitTs > props.StartTs)
            {
                return CommittedRecordOrThrow(props, mutation, txn, ex);
            }
            catch (MvccException ex) when (ex.Kind == MvccErrorKind.PessimisticLockNotFound)
            {
                return CommittedRecordOrThrow(props, mutation, txn, ex);
            }
            catch (MvccException ex) when (ex.Kind == MvccErrorKind.CommitTsTooLarge)
            {
                if (TryCommittedRecord(props, mutation, txn, out var committedTs))
                {
                    return committedTs;
                }

                FallBackToTwoPc(props, txn);
                finalMinCommitTs = 0;
                continue;
            }
            catch (MvccException ex) when (ex.Kind == MvccErrorKind.KeyIsLocked)
            {
                if (TryCommittedRecord(props, mutation, txn, out var committedTs))
                {
                    return committedTs;
                }

                (lockErrors ??= []).Add(ex.KeyError);
                continue;
            }
            catch (MvccException ex) when (ex.Kind == MvccErrorKind.AssertionFailed)
            {
                assertionFailure ??= ex;
                continue;
            }

            if (props.NeedsMinCommitTs && ts == 0)
            {
                // A key prewritten earlier without async commit (a retried request after a fallback): go 2PC.
                FallBackToTwoPc(props, txn);
                finalMinCommitTs = 0;
            }
            else if (props.NeedsMinCommitTs && ts > finalMinCommitTs)
            {
                finalMinCommitTs = ts;
            }
        }

        if (assertionFailure is not null)
        {
            throw assertionFailure;
        }

        return finalMinCommitTs;
    }

    private void FallBackToTwoPc(PrewriteContext props, MvccTxn txn)
    {
        props.UseAsyncCommit = false;
        props.TryOnePc = false;
        if (txn.OnePcLocks is { } onePcLocks)
        {
            foreach (var onePcLock in onePcLocks)
            {
                onePcLock.Lock.UseOnePc = false;
                txn.PutLock(onePcLock.EncodedKey, onePcLock.Lock);
            }

            onePcLocks.Clear();
        }

        ReleaseMemoryLocks(txn);
    }

    /// <summary>TiKV's check_committed_record_on_err: a prewrite retried after its commit succeeds quietly.</summary>
    private ulong CommittedRecordOrThrow(PrewriteContext props, PrewriteMutation mutation, MvccTxn txn, MvccException error)
        => TryCommittedRecord(props, mutation, txn, out var commitTs) ? commitTs : throw error;

    private bool TryCommittedRecord(PrewriteContext props, PrewriteMutation mutation, MvccTxn txn, out ulong commitTs)
    {
        var record = _reader.GetTxnCommitRecord(mutation.EncodedKey, props.StartTs);
        if (record.IsCommitted)
        {
            txn.Clear();
            ReleaseMemoryLocks(txn);
            commitTs = record.CommitTs;
            return true;
        }

        commitTs = 0;
        return false;
    }

    /// <summary>Writes the final write records of a 1PC prewrite at <paramref name="commitTs"/>.</summary>
    private static void CommitOnePcLocks(MvccTxn txn, ulong commitTs)
    {
        if (txn.OnePcLocks is not { } onePcLocks)
        {
            return;
        }

        foreach (var (encodedKey, lockRecord, removesPessimisticLock) in onePcLocks)
        {
            var kind = lockRecord.Kind switch
            {
                LockKind.Put => WriteKind.Put,
                LockKind.Delete => WriteKind.Delete,
                _ => WriteKind.Lock,
            };
            txn.PutWrite(encodedKey, commitTs, new WriteRecord(kind, txn.StartTs, lockRecord.ShortValue));
            if (removesPessimisticLock)
            {
                txn.UnlockKey(encodedKey, commitTs);
            }
        }

        onePcLocks.Clear();
    }
}
