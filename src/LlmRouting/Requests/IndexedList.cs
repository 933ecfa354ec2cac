namespace LlmRouting;

/// <summary>
/// <c>foreach</c> over an <see cref="IList{T}"/> by index, without the boxed enumerator an interface's <c>foreach</c>
/// allocates: the per-request and per-update walks over message and update contents.
/// </summary>
internal static class IndexedList
{
    /// <summary>Enumerates <paramref name="list"/> by index (an element added or removed meanwhile is not detected).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="list">The list.</param>
    /// <returns>A struct enumerable.</returns>
    public static IndexedList<T> Indexed<T>(this IList<T> list) => new(list);
}

/// <summary>An <see cref="IList{T}"/> enumerated by index.</summary>
/// <typeparam name="T">The element type.</typeparam>
internal readonly struct IndexedList<T>(IList<T> list)
{
    /// <summary>Gets the enumerator.</summary>
    /// <returns>The enumerator.</returns>
    public Enumerator GetEnumerator() => new(list);

    /// <summary>The enumerator.</summary>
    public struct Enumerator(IList<T> list)
    {
        private int _index = -1;

        /// <summary>Gets the current element.</summary>
        public readonly T Current => list[_index];

        /// <summary>Moves to the next element.</summary>
        /// <returns>Whether there is one.</returns>
        public bool MoveNext() => ++_index < list.Count;
    }
}
