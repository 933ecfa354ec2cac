using System.Collections;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace LlmRouting.Configuration;

/// <summary>
/// Strict configuration binding: every key must name a setting, every value must convert, and every failure is
/// reported with its path and the accepted values — unlike <c>ConfigurationBinder</c>, which drops list items
/// whose values fail to convert and ignores misspelt keys.
/// </summary>
internal static partial class ConfigurationValues
{
    private static readonly Dictionary<Type, PropertyInfo[]> Properties = [];

    /// <summary>Binds <paramref name="section"/> onto a new <typeparamref name="T"/>, throwing with every failure.</summary>
    /// <exception cref="OptionsValidationException">A key is unknown or a value does not convert.</exception>
    public static T Bind<T>(IConfiguration? section, T options)
        where T : class
    {
        if (section is null || (section is IConfigurationSection s && !s.Exists()))
        {
            return options;
        }

        var failures = new List<string>();
        BindObject(section, options, PathOf(section), failures, ignored: null);
        return failures.Count == 0 ? options : throw new OptionsValidationException(PathOf(section), typeof(T), failures);
    }

    /// <summary>Returns the failures of binding <paramref name="section"/> onto a fresh <typeparamref name="T"/> (none when the section is absent).</summary>
    public static List<string> Check<T>(IConfiguration? section)
        where T : class, new()
    {
        var failures = new List<string>();
        if (section is not null && (section is not IConfigurationSection s || s.Exists()))
        {
            BindObject(section, new T(), PathOf(section), failures, ignored: null);
        }

        return failures;
    }

    /// <summary>Binds the children of <paramref name="section"/> onto the settable properties of <paramref name="target"/>.</summary>
    public static void BindObject(IConfiguration section, object target, string path, List<string> failures, ISet<string>? ignored)
    {
        PropertyInfo[] properties = BindableProperties(target.GetType());
        foreach (IConfigurationSection child in section.GetChildren())
        {
            if (ignored?.Contains(child.Key) == true)
            {
                continue;
            }

            PropertyInfo? property = Array.Find(properties, p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                IEnumerable<string> known = properties.Select(p => p.Name).Concat(ignored ?? Enumerable.Empty<string>());
                failures.Add($"{Join(path, child.Key)} is not a known setting (known: {string.Join(", ", properties.Select(p => p.Name))}).{DidYouMean(child.Key, known)}");
                continue;
            }

            BindProperty(child, target, property, Join(path, property.Name), failures);
        }
    }

    private static void BindProperty(IConfigurationSection child, object target, PropertyInfo property, string path, List<string> failures)
    {
        Type type = property.PropertyType;
        object? current = property.GetValue(target);
        if (IsScalar(type))
        {
            if (child.Value is null)
            {
                if (child.GetChildren().Any())
                {
                    failures.Add($"{path} must be a single value, not a section.");
                }
                else if (Nullable.GetUnderlyingType(type) is not null && property.CanWrite && property.SetMethod?.IsPublic == true)
                {
                    // An explicit null (JSON null): "none" for a nullable setting (no total timeout, the whole turn…), not its default.
                    property.SetValue(target, null);
                }

                return;
            }

            if (!property.CanWrite || property.SetMethod?.IsPublic != true)
            {
                failures.Add($"{path} cannot be set.");
            }
            else if (TryConvert(child.Value, type, path, out object? value, out string? failure))
            {
                property.SetValue(target, value);
            }
            else
            {
                failures.Add(failure!);
            }

            return;
        }

        if (CollectionOf(type, out Type? keyType, out Type? itemType))
        {
            if (current is null && property.CanWrite && !type.IsInterface && !type.IsAbstract && !type.IsArray)
            {
                current = Activator.CreateInstance(type);
                property.SetValue(target, current);
            }

            if (type.IsArray)
            {
                var items = new List<object?>();
                BindItems(child, itemType!, path, failures, items.Add);
                if (property.CanWrite)
                {
                    Array array = Array.CreateInstance(itemType!, items.Count);
                    for (int i = 0; i < items.Count; i++)
                    {
                        array.SetValue(items[i], i);
                    }

                    property.SetValue(target, array);
                }

                return;
            }

            if (current is null)
            {
                failures.Add($"{path} cannot be set from configuration; set it in code.");
            }
            else if (keyType is not null)
            {
                BindDictionary(child, (IDictionary)current, itemType!, path, failures);
            }
            else
            {
                MethodInfo add = current.GetType().GetMethod("Add", [itemType!]) ?? typeof(ICollection<>).MakeGenericType(itemType!).GetMethod("Add")!;
                BindItems(child, itemType!, path, failures, item => add.Invoke(current, [item]));
            }

            return;
        }

        if (IsBindableObject(type))
        {
            if (current is null)
            {
                if (!property.CanWrite || type.GetConstructor(Type.EmptyTypes) is null)
                {
                    failures.Add($"{path} cannot be set from configuration; set it in code.");
                    return;
                }

                current = Activator.CreateInstance(type)!;
                property.SetValue(target, current);
            }

            if (child.Value is { Length: > 0 })
            {
                failures.Add($"{path} must be a section (with settings {string.Join(", ", BindableProperties(type).Select(p => p.Name))}), not the value '{child.Value}'.");
                return;
            }

            BindObject(child, current, path, failures, ignored: null);
            return;
        }

        failures.Add($"{path} cannot be set from configuration (a {type.Name}); set it in code.");
    }

    private static void BindItems(IConfigurationSection section, Type itemType, string path, List<string> failures, Action<object?> add)
    {
        if (section.Value is { Length: > 0 } scalar)
        {
            failures.Add($"{path} must be a list (in JSON [ \"a\", \"b\" ]), not the single value '{scalar}'.");
            return;
        }

        var children = section.GetChildren().ToList();
        foreach (IConfigurationSection item in children.OrderBy(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i : int.MaxValue))
        {
            if (!int.TryParse(item.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                failures.Add($"{path}:{item.Key}: a list's items are numbered 0, 1, …; '{item.Key}' is not an index.");
                continue;
            }

            string at = $"{path}[{item.Key}]";
            if (IsScalar(itemType))
            {
                if (item.Value is null)
                {
                    failures.Add($"{at} must be a single value, not a section.");
                }
                else if (TryConvert(item.Value, itemType, at, out object? value, out string? failure))
                {
                    add(value);
                }
                else
                {
                    failures.Add(failure!);
                }
            }
            else if (IsBindableObject(itemType) && itemType.GetConstructor(Type.EmptyTypes) is not null)
            {
                if (item["Name"] is { Length: > 0 } name)
                {
                    at = $"{at} ('{name}')";
                }

                // Kept even when a value failed, so the failure is the only one reported (not "target 'x' is not configured").
                object instance = Activator.CreateInstance(itemType)!;
                BindObject(item, instance, at, failures, ignored: null);
                add(instance);
            }
            else
            {
                failures.Add($"{at} cannot be set from configuration (a {itemType.Name}); set it in code.");
            }
        }
    }

    private static void BindDictionary(IConfigurationSection section, IDictionary dictionary, Type valueType, string path, List<string> failures)
    {
        foreach (IConfigurationSection item in section.GetChildren())
        {
            string at = $"{path}:{item.Key}";
            if (IsScalar(valueType))
            {
                if (item.Value is null)
                {
                    failures.Add($"{at} must be a single value, not a section.");
                }
                else if (TryConvert(item.Value, valueType, at, out object? value, out string? failure))
                {
                    dictionary[item.Key] = value;
                }
                else
                {
                    failures.Add(failure!);
                }
            }
            else if (IsBindableObject(valueType) && valueType.GetConstructor(Type.EmptyTypes) is not null)
            {
                object instance = dictionary.Contains(item.Key) ? dictionary[item.Key]! : Activator.CreateInstance(valueType)!;
                BindObject(item, instance, at, failures, ignored: null);
                dictionary[item.Key] = instance;
            }
            else
            {
                failures.Add($"{at} cannot be set from configuration (a {valueType.Name}); set it in code.");
            }
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}:{key}";

    private static string PathOf(IConfiguration section) => section is IConfigurationSection s ? s.Path : string.Empty;

    private static bool IsScalar(Type type)
    {
        Type actual = Nullable.GetUnderlyingType(type) ?? type;
        return actual.IsPrimitive || actual.IsEnum || actual == typeof(string) || actual == typeof(decimal) || actual == typeof(TimeSpan) || actual == typeof(Uri);
    }

    private static bool IsBindableObject(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(Delegate).IsAssignableFrom(type) && type.Namespace is { } ns &&
        (ns.StartsWith("LlmRouting", StringComparison.Ordinal) || ns.StartsWith("Polly", StringComparison.Ordinal));

    private static bool CollectionOf(Type type, out Type? keyType, out Type? itemType)
    {
        keyType = null;
        itemType = null;
        if (type == typeof(string))
        {
            return false;
        }

        if (type.IsArray)
        {
            itemType = type.GetElementType();
            return true;
        }

        foreach (Type candidate in type.IsInterface ? [type, .. type.GetInterfaces()] : type.GetInterfaces())
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IDictionary<,>) && candidate.GetGenericArguments()[0] == typeof(string))
            {
                (keyType, itemType) = (typeof(string), candidate.GetGenericArguments()[1]);
                return typeof(IDictionary).IsAssignableFrom(type) || type.IsInterface;
            }
        }

        foreach (Type candidate in type.IsInterface ? [type, .. type.GetInterfaces()] : type.GetInterfaces())
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(ICollection<>))
            {
                itemType = candidate.GetGenericArguments()[0];
                return true;
            }
        }

        return false;
    }

    private static PropertyInfo[] BindableProperties(Type type)
    {
        lock (Properties)
        {
            if (!Properties.TryGetValue(type, out PropertyInfo[]? properties))
            {
                properties = [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .Where(p => p.GetMethod?.IsPublic == true && p.GetIndexParameters().Length == 0 && IsBindable(p))];
                Properties[type] = properties;
            }

            return properties;
        }
    }

    private static bool IsBindable(PropertyInfo property)
    {
        Type type = property.PropertyType;
        bool settable = property.SetMethod?.IsPublic == true;
        if (IsScalar(type))
        {
            return settable;
        }

        if (CollectionOf(type, out _, out Type? item))
        {
            return item is not null && (IsScalar(item) || IsBindableObject(item)) && (settable || !type.IsArray);
        }

        return IsBindableObject(type);
    }
}
