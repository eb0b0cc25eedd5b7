namespace TiKV.Client.Txn.Internal;

/// <summary>How far a commit goes. Only <see cref="All"/> is a real commit; the others let tests play a client that dies mid-way.</summary>
internal enum CommitStage
{
    /// <summary>Stop after prewrite: every key locked, nothing committed.</summary>
    Prewrite,

    /// <summary>Stop after committing the primary: committed, but the secondaries keep their locks.</summary>
    PrimaryCommit,

    /// <summary>The whole protocol.</summary>
    All,
}
