namespace TiKV.DevCluster.Storage;

/// <summary>The kind of one operation inside a <see cref="WriteBatch"/>.</summary>
internal enum WriteOperationKind
{
    /// <summary>Insert or overwrite a key.</summary>
    Put,

    /// <summary>Remove a key.</summary>
    Delete,

    /// <summary>Remove every key in [Key, End).</summary>
    DeleteRange,
}
