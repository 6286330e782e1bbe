using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ViaSocket.Domain.Security;

/// <summary>
/// A working buffer on the stack when it fits the span the caller provides, otherwise rented from the shared pool;
/// zeroed on dispose because it may have held key or plaintext bytes.
/// </summary>
internal ref struct ScratchBuffer<T>
    where T : unmanaged
{
    private T[]? rented;

    public ScratchBuffer(Span<T> stackSpace, int length)
    {
        if (length <= stackSpace.Length)
        {
            Span = stackSpace[..length];
        }
        else
        {
            rented = ArrayPool<T>.Shared.Rent(length);
            Span = rented.AsSpan(0, length);
        }
    }

    public Span<T> Span { get; }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(Span));
        if (rented is not null)
        {
            ArrayPool<T>.Shared.Return(rented);
            rented = null;
        }
    }
}
