using Google.Protobuf;
using TiKV.DevCluster.Mvcc;
using TiKV.Proto.Kvrpcpb;

namespace TiKV.Benchmarks.Mvcc;

/// <summary>Builds and runs the Percolator steps of a single-key optimistic transaction against a <see cref="TxnEngine"/>.</summary>
internal static class TxnRequests
{
    /// <summary>
    /// One shared, empty context: region checks are not the engine's job, and building a context per request
    /// would charge the harness's allocation to the engine.
    /// </summary>
    private static readonly Context NoRegion = new();

    public static async ValueTask CommitOneAsync(TxnEngine engine, Timestamps tso, ByteString key, ByteString value)
    {
        var startTs = tso.Next();
        var prewrite = new PrewriteRequest
        {
            Context = NoRegion,
            PrimaryLock = key,
            StartVersion = startTs,
            LockTtl = 3000,
            TxnSize = 1,
        };
        prewrite.Mutations.Add(new Mutation { Op = Op.Put, Key = key, Value = value });
        var prewritten = await engine.PrewriteAsync(prewrite);
        if (prewritten.Errors.Count > 0 || prewritten.RegionError is not null)
        {
            throw new InvalidOperationException($"Prewrite failed: {prewritten}");
        }

        var commit = new CommitRequest
        {
            Context = NoRegion,
            StartVersion = startTs,
            CommitVersion = tso.Next(),
        };
        commit.Keys.Add(key);
        var committed = await engine.CommitAsync(commit);
        if (committed.Error is not null || committed.RegionError is not null)
        {
            throw new InvalidOperationException($"Commit failed: {committed}");
        }
    }
}
