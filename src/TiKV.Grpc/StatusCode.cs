namespace TiKV.Grpc;

/// <summary>gRPC status codes, numbered as on the wire (<c>grpc-status</c>).</summary>
public enum StatusCode
{
    /// <summary>Success.</summary>
    OK = 0,
    /// <summary>The call was cancelled, usually by the caller.</summary>
    Cancelled = 1,
    /// <summary>Unknown error, e.g. an unexpected exception in a server handler.</summary>
    Unknown = 2,
    /// <summary>The client passed an invalid argument.</summary>
    InvalidArgument = 3,
    /// <summary>The deadline expired before the call completed.</summary>
    DeadlineExceeded = 4,
    /// <summary>A requested entity was not found.</summary>
    NotFound = 5,
    /// <summary>The entity a client tried to create already exists.</summary>
    AlreadyExists = 6,
    /// <summary>The caller may not perform the operation.</summary>
    PermissionDenied = 7,
    /// <summary>A resource (quota, message size, memory) is exhausted.</summary>
    ResourceExhausted = 8,
    /// <summary>The system is not in a state required for the operation.</summary>
    FailedPrecondition = 9,
    /// <summary>The operation was aborted, typically by a concurrency conflict.</summary>
    Aborted = 10,
    /// <summary>The operation was attempted past the valid range.</summary>
    OutOfRange = 11,
    /// <summary>The method is not implemented or not supported.</summary>
    Unimplemented = 12,
    /// <summary>An invariant of the protocol or the implementation was broken.</summary>
    Internal = 13,
    /// <summary>The service is currently unavailable; retrying may succeed.</summary>
    Unavailable = 14,
    /// <summary>Unrecoverable data loss or corruption.</summary>
    DataLoss = 15,
    /// <summary>The request has no valid authentication credentials.</summary>
    Unauthenticated = 16,
}
