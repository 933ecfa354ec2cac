namespace LlmRouting;

/// <summary>A filter or observer slot of the builder: created once per router from the services.</summary>
/// <typeparam name="T">The component type.</typeparam>
internal sealed class ComponentSlot<T>(object? key, Func<IServiceProvider, T> factory, string? origin = null)
    where T : class
{
    /// <summary>Gets the key that makes the slot unique (a type or a name), or <see langword="null"/>.</summary>
    public object? Key { get; } = key;

    /// <summary>Gets the factory.</summary>
    public Func<IServiceProvider, T> Factory { get; } = factory;

    /// <summary>Gets the call that added it, for messages.</summary>
    public string? Origin { get; } = origin;
}
