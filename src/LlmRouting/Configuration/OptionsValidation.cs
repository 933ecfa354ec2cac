using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmRouting.Configuration;

/// <summary>
/// The one validation helper for options classes: DataAnnotations (<c>[Range]</c>, <c>[Required]</c>, …, Polly's included)
/// on the options and every nested options object, then <see cref="IValidatableObject"/>; each failure names its path.
/// </summary>
internal static class OptionsValidation
{
    /// <summary>Returns every failure of <paramref name="options"/> and its nested options, each prefixed with <paramref name="path"/>.</summary>
    public static List<string> Validate(object options, string path)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Validate(options, path, failures, new HashSet<object>(ReferenceEqualityComparer.Instance));
        return failures;
    }

    /// <summary>Throws with every failure of <paramref name="options"/>.</summary>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public static void ThrowIfInvalid<T>(T options, string path)
        where T : class
    {
        List<string> failures = Validate(options, path);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(path, typeof(T), failures);
        }
    }

    /// <summary>Registers start-up validation (ValidateOnStart) of the <typeparamref name="T"/> options with this helper.</summary>
    public static IServiceCollection AddValidation<T>(IServiceCollection services, string path)
        where T : class
    {
        services.AddOptions<T>().ValidateOnStart();
        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<T>) && d.ImplementationInstance is Validator<T>))
        {
            services.AddSingleton<IValidateOptions<T>>(new Validator<T>(path));
        }

        return services;
    }

    private static void Validate(object options, string path, List<string> failures, HashSet<object> seen)
    {
        if (!seen.Add(options))
        {
            return;
        }

        foreach (PropertyInfo property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetMethod?.IsPublic != true || property.GetIndexParameters().Length != 0)
            {
                continue;
            }

            object? value = property.GetValue(options);
            string at = $"{path}:{property.Name}";
            foreach (ValidationAttribute attribute in property.GetCustomAttributes<ValidationAttribute>(inherit: true))
            {
                if (!attribute.IsValid(value))
                {
                    failures.Add(Message(attribute, at, value));
                }
            }

            if (value is not null && IsOptionsObject(value.GetType()))
            {
                Validate(value, at, failures, seen);
            }
            else if (value is IEnumerable items and not string)
            {
                int i = 0;
                foreach (object? item in items)
                {
                    if (item is not null && IsOptionsObject(item.GetType()))
                    {
                        Validate(item, $"{at}[{i}]", failures, seen);
                    }

                    i++;
                }
            }
        }

        // The options' own cross-field check (an internal or public Validate() that throws), so every rule runs here too.
        if (options.GetType().GetMethod("Validate", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes) is { ReturnType: var returns } check && returns == typeof(void))
        {
            try
            {
                check.Invoke(options, null);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is ArgumentException or InvalidOperationException or OptionsValidationException)
            {
                failures.Add(ex.InnerException is OptionsValidationException o ? string.Join("; ", o.Failures) : $"{path}: {FirstLine(ex.InnerException.Message)}");
            }
        }

        if (options is IValidatableObject validatable)
        {
            foreach (ValidationResult result in validatable.Validate(new ValidationContext(options)))
            {
                string members = string.Join(", ", result.MemberNames);
                // A result names the member it is about and reads on from it: "Weights must have a positive total."
                failures.Add(members.Length == 0 ? $"{path}: {result.ErrorMessage}" : $"{path}:{members} {result.ErrorMessage}");
            }
        }
    }

    private static string Message(ValidationAttribute attribute, string path, object? value) => attribute switch
    {
        RangeAttribute { Maximum: int.MaxValue, MinimumIsExclusive: false } range => string.Create(CultureInfo.InvariantCulture, $"{path} must be at least {range.Minimum} (was {Show(value)})."),
        RangeAttribute { MinimumIsExclusive: false, MaximumIsExclusive: false } range => string.Create(CultureInfo.InvariantCulture, $"{path} must be from {range.Minimum} to {range.Maximum} (was {Show(value)})."),
        RangeAttribute range => string.Create(
            CultureInfo.InvariantCulture,
            $"{path} must be {(range.MinimumIsExclusive ? "greater than" : "at least")} {range.Minimum} and {(range.MaximumIsExclusive ? "less than" : "at most")} {range.Maximum} (was {Show(value)})."),
        PositiveAttribute when value is double => $"{path} must be a finite, positive number (was {Show(value)}).",
        PositiveAttribute => $"{path} must be positive (was {Show(value)}).",
        NotNegativeAttribute when value is double => $"{path} must be a finite, non-negative number (was {Show(value)}).",
        NotNegativeAttribute => $"{path} must not be negative (was {Show(value)}).",
        FiniteAttribute => $"{path} must be a finite number (was {Show(value)}).",
        NotBlankAttribute => $"{path} must not be empty.",
        EnumDataTypeAttribute e => $"{path} must be one of {string.Join(", ", Enum.GetNames(e.EnumType))} (was {Show(value)}).",
        RequiredAttribute => $"{path} is required.",
        MinLengthAttribute min => string.Create(CultureInfo.InvariantCulture, $"{path} must have at least {min.Length} item(s)."),
        MaxLengthAttribute max => string.Create(CultureInfo.InvariantCulture, $"{path} must have at most {max.Length} item(s)."),
        _ => $"{path}: {attribute.FormatErrorMessage(path)}",
    };

    /// <summary>An <see cref="ArgumentException"/> message without the " (Parameter 'x')" and "Actual value was" lines.</summary>
    private static string FirstLine(string message)
    {
        int end = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        if (end < 0)
        {
            end = message.IndexOf('\n', StringComparison.Ordinal);
        }

        return (end < 0 ? message : message[..end]).TrimEnd();
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static bool IsOptionsObject(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(Delegate).IsAssignableFrom(type) && !typeof(IEnumerable).IsAssignableFrom(type) &&
        type.Namespace is { } ns && (ns.StartsWith("LlmRouting", StringComparison.Ordinal) || ns.StartsWith("Polly", StringComparison.Ordinal)) &&
        type.Name.EndsWith("Options", StringComparison.Ordinal);

    private sealed class Validator<T>(string path) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            List<string> failures = OptionsValidation.Validate(options, path);
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
