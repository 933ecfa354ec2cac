namespace LlmRouting.Strategies;

/// <content>The embedded routes: one contiguous, normalised matrix and each row's route.</content>
public sealed partial class EmbeddingRoutingStrategy
{
    private sealed class RouteIndex(EmbeddingRoute[] routes, float[] matrix, int[] rowRoute, int dimensions)
    {
#pragma warning disable SA1401, CA1051 // A cache swapped with Volatile by LoadSlots.For.
        public LoadSlots? Slots;
#pragma warning restore SA1401, CA1051

        public EmbeddingRoute[] Routes { get; } = routes;

        /// <summary>Gets each route's target name, by route index.</summary>
        public string[] TargetNames { get; } = [.. routes.Select(r => r.Target)];

        public float[] Matrix { get; } = matrix;

        public int[] RowRoute { get; } = rowRoute;

        /// <summary>Gets the matrix in 8 bits for the approximate first pass, or <see langword="null"/> where every row is scored in floats.</summary>
        public QuantizedRouteMatrix? Quantized { get; } = QuantizedRouteMatrix.Create(matrix, rowRoute.Length, dimensions);

        public int Dimensions { get; } = dimensions;

        public RouteIndex Append(RouteIndex other)
        {
            if (other.Dimensions != Dimensions && RowRoute.Length > 0)
            {
                throw new InvalidOperationException("The new route's embeddings have a different dimension from the existing routes'.");
            }

            int offset = Routes.Length;
            return new RouteIndex([.. Routes, .. other.Routes], [.. Matrix, .. other.Matrix], [.. RowRoute, .. other.RowRoute.Select(r => r + offset)], other.Dimensions);
        }
    }
}
