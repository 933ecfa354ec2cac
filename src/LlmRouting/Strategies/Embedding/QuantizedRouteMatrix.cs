using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LlmRouting.Strategies;

/// <summary>
/// The route matrix in 8-bit integers (a scale per row), a quarter of its float size so it stays in the core's cache:
/// one integer pass gives every row's approximate similarity with a proven bound on its distance from the float
/// similarity <see cref="RouteMatrix"/> computes, so only the rows that can be among the top k are scored exactly.
/// </summary>
/// <remarks>
/// Row r is stored as Q = round(m / s) with s = max|m| / L, the query q as q̂ = round(q / t), t = max|q| / L. With
/// AVX-VNNI (L = 127), q̂ is offset by 128 into unsigned bytes for its byte dot product (the offset's 128·ΣQ is subtracted
/// exactly). With AVX2 alone (L = 63), the rows are offset by 64 into unsigned bytes (1 to 127) that multiply the signed q̂
/// (<c>vpmaddubsw</c>: a pair's sum is at most 2·127·63, so the 16-bit sums of two 32-byte steps add without overflow
/// before they are widened to 32 bits by <c>vpmaddwd</c>), and the offset's 64·Σq̂ is subtracted exactly: two and a half
/// instructions per 32 bytes of a row instead of about four, for a coarser first pass whose bound is wider. Either way q̂·Q is exact. With
/// ε = q − t·q̂ and δ = m − s·Q, q·m = t·s·(q̂·Q) + t·q̂·δ + ε·m, so |q·m − t·s·(q̂·Q)| ≤ ‖t·q̂‖‖δ‖ + ‖ε‖‖m‖
/// (Cauchy–Schwarz; ‖t·q̂‖ ≤ ‖q‖ + ‖ε‖), and the float dot product is within (n + 24)·2⁻²⁴·‖q‖‖m‖ of q·m. The
/// bound returned covers both, with a margin for its own float arithmetic. Without AVX2 the float matrix is read as before.
/// </remarks>
internal sealed class QuantizedRouteMatrix
{
    /// <summary>Below this many rows the float matrix is read directly.</summary>
    public const int MinRows = 64;

    private const float Unit = 1f / (1 << 24);

    private readonly sbyte[] _values;
    private readonly float[] _scales;
    private readonly float[] _norms;
    private readonly float[] _errorNorms;
    /// <summary>Each row's share of the query's offset (AVX-VNNI: 128·ΣQ); zero for AVX2, whose offset is the rows' own (64·Σq̂ per query).</summary>
    private readonly int[] _offsets;
    private readonly int _dimensions;
    private readonly DotKernel _kernel;

    private QuantizedRouteMatrix(DotKernel kernel, sbyte[] values, float[] scales, float[] norms, float[] errorNorms, int[] offsets, int dimensions)
    {
        _kernel = kernel;
        _values = values;
        _scales = scales;
        _norms = norms;
        _errorNorms = errorNorms;
        _offsets = offsets;
        _dimensions = dimensions;
    }

    /// <summary>Gets the number of rows.</summary>
    public int Rows => _scales.Length;

    /// <summary>Gets the integer dot product this machine runs: AVX-VNNI where it has it, else AVX2, else none (the float pass).</summary>
    public static DotKernel? Kernel { get; } = AvxVnni.IsSupported ? DotKernel.Vnni : Avx2.IsSupported ? DotKernel.Avx2 : null;

    /// <summary>Quantises <paramref name="matrix"/>, or returns <see langword="null"/> where the float pass is as good (neither AVX-VNNI nor AVX2, few rows, odd sizes, values that are not finite).</summary>
    public static QuantizedRouteMatrix? Create(ReadOnlySpan<float> matrix, int rows, int dimensions) =>
        Kernel is { } kernel ? Create(matrix, rows, dimensions, kernel) : null;

    /// <summary>As <see cref="Create(ReadOnlySpan{float}, int, int)"/>, stored for the given kernel (which this machine must support to use it).</summary>
    internal static QuantizedRouteMatrix? Create(ReadOnlySpan<float> matrix, int rows, int dimensions, DotKernel kernel)
    {
        // n · 255 · 127 must fit the 32-bit sums.
        if (rows < MinRows || dimensions < 32 || dimensions % 32 != 0 || dimensions > 1 << 16 || matrix.Length < rows * dimensions)
        {
            return null;
        }

        sbyte[] values = new sbyte[rows * dimensions];
        float[] scales = new float[rows];
        float[] norms = new float[rows];
        float[] errorNorms = new float[rows];
        int[] offsets = new int[rows];
        int levels = Levels(kernel);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = matrix.Slice(r * dimensions, dimensions);
            float max = 0;
            foreach (float m in row)
            {
                if (!float.IsFinite(m))
                {
                    return null;
                }

                max = Math.Max(max, Math.Abs(m));
            }

            float scale = max / levels;
            double norm = 0, error = 0;
            for (int d = 0; d < dimensions; d++)
            {
                int q = scale == 0 ? 0 : Math.Clamp((int)MathF.Round(row[d] / scale), -levels, levels);
                values[(r * dimensions) + d] = kernel == DotKernel.Vnni ? (sbyte)q : (sbyte)(byte)(q + 64);
                offsets[r] += kernel == DotKernel.Vnni ? 128 * q : 0;
                double delta = row[d] - ((double)scale * q);
                error += delta * delta;
                norm += (double)row[d] * row[d];
            }

            scales[r] = scale;
            norms[r] = RoundUp(Math.Sqrt(norm));
            errorNorms[r] = RoundUp(Math.Sqrt(error));
        }

        return new QuantizedRouteMatrix(kernel, values, scales, norms, errorNorms, offsets, dimensions);
    }

    /// <summary>The largest |value| of a row or query in the kernel's bytes.</summary>
    private static int Levels(DotKernel kernel) => kernel == DotKernel.Vnni ? 127 : 63;

    /// <summary>
    /// Writes each row's approximate similarity with <paramref name="query"/> and a bound on its distance from the float
    /// dot product of <see cref="RouteMatrix"/>; returns <see langword="false"/> (nothing written) for a query with values that are not finite.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">The matrix was stored for a kernel this machine does not run.</exception>
    public bool Approximate(ReadOnlySpan<float> query, Span<float> similarities, Span<float> bounds)
    {
        DotKernel kernel = _kernel;
        if (kernel == DotKernel.Vnni ? !AvxVnni.IsSupported : !Avx2.IsSupported)
        {
            throw new PlatformNotSupportedException($"This machine does not support the {kernel} integer dot product.");
        }

        int n = _dimensions;
        if (query.Length != n || similarities.Length < Rows || bounds.Length < Rows)
        {
            throw new ArgumentException("The query, similarity and bound sizes must match the matrix.", nameof(query));
        }

        byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(n);
        try
        {
            bool vnni = kernel == DotKernel.Vnni;
            if (!Quantize(query, rented.AsSpan(0, n), vnni, Levels(kernel), out float step, out float queryNorm, out float errorNorm, out int querySum))
            {
                return false;
            }

            Span<int> dots = MemoryMarshal.Cast<float, int>(similarities)[..Rows];
            if (vnni)
            {
                Dot<VnniStep>(rented, dots);
            }
            else
            {
                Dot<Avx2Step>(rented, dots);
            }

            // The offset's exact share: 128·ΣQ per row with AVX-VNNI (the query's offset), 64·Σq̂ for every row with AVX2 (the rows').
            Finish(dots, vnni ? 0 : 64 * querySum, step, queryNorm, errorNorm, similarities, bounds);
            return true;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Each row's dot product with the query's bytes, four rows at a time, 64 bytes per step, by <typeparamref name="TKernel"/>.</summary>
    private void Dot<TKernel>(byte[] query, Span<int> dots)
        where TKernel : struct, IDotStep
    {
        int step = Vector256<byte>.Count;
        int n = _dimensions;
        ref byte q = ref MemoryMarshal.GetArrayDataReference(query);
        ref byte values = ref Unsafe.As<sbyte, byte>(ref MemoryMarshal.GetArrayDataReference(_values));
        int row = 0;
        for (; row + 4 <= Rows; row += 4)
        {
            ref byte r0 = ref Unsafe.Add(ref values, row * n);
            ref byte r1 = ref Unsafe.Add(ref r0, n);
            ref byte r2 = ref Unsafe.Add(ref r1, n);
            ref byte r3 = ref Unsafe.Add(ref r2, n);
            Vector256<int> a0 = Vector256<int>.Zero, a1 = a0, a2 = a0, a3 = a0;
            int i = 0;
            for (; i + (2 * step) <= n; i += 2 * step)
            {
                Vector256<byte> x0 = Vector256.LoadUnsafe(ref q, (nuint)i), x1 = Vector256.LoadUnsafe(ref q, (nuint)(i + step));
                a0 = TKernel.Two(a0, x0, x1, ref r0, i);
                a1 = TKernel.Two(a1, x0, x1, ref r1, i);
                a2 = TKernel.Two(a2, x0, x1, ref r2, i);
                a3 = TKernel.Two(a3, x0, x1, ref r3, i);
            }

            if (i < n)
            {
                Vector256<byte> x = Vector256.LoadUnsafe(ref q, (nuint)i);
                a0 = TKernel.One(a0, x, ref r0, i);
                a1 = TKernel.One(a1, x, ref r1, i);
                a2 = TKernel.One(a2, x, ref r2, i);
                a3 = TKernel.One(a3, x, ref r3, i);
            }

            dots[row] = Vector256.Sum(a0);
            dots[row + 1] = Vector256.Sum(a1);
            dots[row + 2] = Vector256.Sum(a2);
            dots[row + 3] = Vector256.Sum(a3);
        }

        for (; row < Rows; row++)
        {
            ref byte r0 = ref Unsafe.Add(ref values, row * n);
            Vector256<int> a0 = Vector256<int>.Zero;
            for (int i = 0; i < n; i += step)
            {
                a0 = TKernel.One(a0, Vector256.LoadUnsafe(ref q, (nuint)i), ref r0, i);
            }

            dots[row] = Vector256.Sum(a0);
        }
    }

    /// <summary>Turns the integer dot products (in the similarities' memory) into similarities, and writes each row's bound.</summary>
    private void Finish(Span<int> dots, int correction, float step, float queryNorm, float errorNorm, Span<float> similarities, Span<float> bounds)
    {
        // With the row offsets (AVX-VNNI) the query bytes are q̂ + 128: q̂·Q = (the byte dot product) − 128·ΣQ, exactly; with the
        // correction (AVX2) the row bytes are Q + 64: q̂·Q = (the byte dot product) − 64·Σq̂. The bound is
        // ‖t·q̂‖‖δ‖ + ‖ε‖‖m‖ and the float dot product's own error ((n + 32)·2⁻²⁴·‖q‖‖m‖), with a margin for this arithmetic.
        float onError = (queryNorm + errorNorm) * 1.001f;
        float onNorm = (errorNorm + ((_dimensions + 32) * Unit * queryNorm)) * 1.001f;
        int row = 0;
        ref int dot = ref MemoryMarshal.GetReference(dots);
        ref float similarity = ref MemoryMarshal.GetReference(similarities);
        ref float bound = ref MemoryMarshal.GetReference(bounds);
        ref int offsets = ref MemoryMarshal.GetArrayDataReference(_offsets);
        Vector256<int> corrections = Vector256.Create(correction);
        ref float scale = ref MemoryMarshal.GetArrayDataReference(_scales);
        ref float errorNorms = ref MemoryMarshal.GetArrayDataReference(_errorNorms);
        ref float norms = ref MemoryMarshal.GetArrayDataReference(_norms);
        for (; row + Vector256<int>.Count <= dots.Length; row += Vector256<int>.Count)
        {
            nuint at = (nuint)row;
            Vector256<float> exact = Vector256.ConvertToSingle(Vector256.LoadUnsafe(ref dot, at) - Vector256.LoadUnsafe(ref offsets, at) - corrections);
            (exact * (Vector256.LoadUnsafe(ref scale, at) * step)).StoreUnsafe(ref similarity, at);
            Vector256<float> margin = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref norms, at), Vector256.Create(onNorm), Vector256.Create(1e-7f));
            Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref errorNorms, at), Vector256.Create(onError), margin).StoreUnsafe(ref bound, at);
        }

        for (; row < dots.Length; row++)
        {
            similarities[row] = (dots[row] - _offsets[row] - correction) * (_scales[row] * step);
            bounds[row] = MathF.FusedMultiplyAdd(_errorNorms[row], onError, MathF.FusedMultiplyAdd(_norms[row], onNorm, 1e-7f));
        }
    }

    /// <summary>q̂ = round(q / t) with t = max|q| / <paramref name="levels"/>, stored as q̂ + 128 when <paramref name="offset"/>, else as signed bytes; the norms of q and of ε = q − t·q̂, rounded up, and Σq̂.</summary>
    private static bool Quantize(ReadOnlySpan<float> query, Span<byte> quantized, bool offset, int levels, out float step, out float queryNorm, out float errorNorm, out int sum)
    {
        float max = TensorPrimitives.MaxMagnitude(query);
        float norm = TensorPrimitives.Norm(query);
        if (!float.IsFinite(norm) || !float.IsFinite(max))
        {
            step = queryNorm = errorNorm = 0;
            sum = 0;
            return false;
        }

        max = Math.Abs(max);
        step = max / levels;
        Vector256<float> inverse = Vector256.Create(max == 0 ? 0 : levels / max);
        Vector256<float> negativeStep = Vector256.Create(-step);
        Vector256<float> limit = Vector256.Create((float)levels);
        Vector256<float> squares = Vector256<float>.Zero;
        Vector256<int> sums = Vector256<int>.Zero;
        Vector256<byte> flip = Vector256.Create(offset ? (byte)0x80 : (byte)0);
        ref float source = ref MemoryMarshal.GetReference(query);
        ref byte target = ref MemoryMarshal.GetReference(quantized);
        for (int d = 0; d < query.Length; d += 4 * Vector256<float>.Count)
        {
            Vector256<int> i0 = Round(ref source, d, inverse, negativeStep, limit, ref squares);
            Vector256<int> i1 = Round(ref source, d + Vector256<float>.Count, inverse, negativeStep, limit, ref squares);
            Vector256<int> i2 = Round(ref source, d + (2 * Vector256<float>.Count), inverse, negativeStep, limit, ref squares);
            Vector256<int> i3 = Round(ref source, d + (3 * Vector256<float>.Count), inverse, negativeStep, limit, ref squares);
            sums += (i0 + i1) + (i2 + i3);
            Vector256<sbyte> bytes = Vector256.Narrow(Vector256.Narrow(i0, i1), Vector256.Narrow(i2, i3));
            (bytes.AsByte() ^ flip).StoreUnsafe(ref target, (nuint)d);
        }

        queryNorm = RoundUp(norm * 1.0001);
        errorNorm = RoundUp(Math.Sqrt(Vector256.Sum(squares)) * 1.0001);
        sum = Vector256.Sum(sums);
        return true;
    }

    /// <summary>Eight values of q̂ = round(q / t), clamped to ±<paramref name="limit"/>; adds their (q − t·q̂)² to <paramref name="squares"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Round(ref float source, int at, Vector256<float> inverse, Vector256<float> negativeStep, Vector256<float> limit, ref Vector256<float> squares)
    {
        Vector256<float> q = Vector256.LoadUnsafe(ref source, (nuint)at);
        Vector256<float> rounded = Vector256.Clamp(Vector256.Round(q * inverse), -limit, limit);
        Vector256<float> error = Vector256.FusedMultiplyAdd(rounded, negativeStep, q);
        squares = Vector256.FusedMultiplyAdd(error, error, squares);
        return Vector256.ConvertToInt32(rounded);
    }

    private static float RoundUp(double value) => (float)(value * (1 + 1e-6)) + float.Epsilon;

    /// <summary>Steps of an integer dot product: 32 or 64 query bytes against as many row bytes, added to eight 32-bit sums.</summary>
    private interface IDotStep
    {
        static abstract Vector256<int> One(Vector256<int> sums, Vector256<byte> query, ref byte row, int at);

        static abstract Vector256<int> Two(Vector256<int> sums, Vector256<byte> query0, Vector256<byte> query1, ref byte row, int at);
    }

    /// <summary>AVX-VNNI: the query bytes are q̂ + 128, the row's signed Q (<c>vpdpbusd</c>).</summary>
    private readonly struct VnniStep : IDotStep
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> One(Vector256<int> sums, Vector256<byte> query, ref byte row, int at) =>
            AvxVnni.MultiplyWideningAndAdd(sums, query, Vector256.LoadUnsafe(ref row, (nuint)at).AsSByte());

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Two(Vector256<int> sums, Vector256<byte> query0, Vector256<byte> query1, ref byte row, int at) =>
            One(One(sums, query0, ref row, at), query1, ref row, at + Vector256<byte>.Count);
    }

    /// <summary>
    /// AVX2: the row's bytes are Q + 64 (1 to 127), the query's signed q̂ (|q̂| ≤ 63): <c>vpmaddubsw</c> in pairs (at most
    /// 2 · 127 · 63), two steps' pairs added in 16 bits (at most 32 004), widened by <c>vpmaddwd</c>.
    /// </summary>
    private readonly struct Avx2Step : IDotStep
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> One(Vector256<int> sums, Vector256<byte> query, ref byte row, int at) =>
            sums + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref row, (nuint)at), query.AsSByte()), Vector256.Create((short)1));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Two(Vector256<int> sums, Vector256<byte> query0, Vector256<byte> query1, ref byte row, int at)
        {
            Vector256<short> pairs = Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref row, (nuint)at), query0.AsSByte())
                + Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref row, (nuint)(at + Vector256<byte>.Count)), query1.AsSByte());
            return sums + Avx2.MultiplyAddAdjacent(pairs, Vector256.Create((short)1));
        }
    }
}

/// <summary>An integer dot-product kernel of <see cref="QuantizedRouteMatrix"/>.</summary>
internal enum DotKernel
{
    /// <summary>AVX-VNNI's byte dot product (<c>vpdpbusd</c>).</summary>
    Vnni,

    /// <summary>AVX2: <c>vpmaddubsw</c> of the rows' offset bytes and the signed query, <c>vpmaddwd</c>.</summary>
    Avx2,
}
