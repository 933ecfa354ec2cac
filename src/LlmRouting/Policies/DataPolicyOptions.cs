namespace LlmRouting;

/// <summary>Which requests count as sensitive and which targets may serve them.</summary>
public sealed class DataPolicyOptions
{
    /// <summary>Gets the target tags that allow sensitive data (a target needs at least one), e.g. <c>on-prem</c>.</summary>
    public IList<string> AllowedTargetTags { get; } = [];

    /// <summary>Gets the request tags that mark a request as sensitive.</summary>
    /// <value>The default is <c>sensitive</c>.</value>
    public IList<string> SensitiveRequestTags { get; } = ["sensitive"];

    /// <summary>Gets or sets the kinds of personal data that make a request sensitive.</summary>
    /// <value>The default is every kind.</value>
    public PiiKinds PiiKinds { get; set; } = PiiKinds.Email | PiiKinds.Phone | PiiKinds.CreditCard | PiiKinds.Iban | PiiKinds.NationalId | PiiKinds.IpAddress;

    /// <summary>Gets or sets high-stakes domains that also make a request sensitive (e.g. <see cref="RiskDomains.Medical"/>).</summary>
    /// <value>The default is <see cref="RiskDomains.None"/>.</value>
    public RiskDomains Domains { get; set; }
}
