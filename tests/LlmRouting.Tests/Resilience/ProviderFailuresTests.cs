using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Sockets;
using Polly.CircuitBreaker;
using Polly.Timeout;
using LlmRouting.Resilience;

namespace LlmRouting.Tests;

public class ProviderFailuresTests
{
    public static TheoryData<Exception, bool> Cases() => new()
    {
        { new HttpRequestException("x", null, HttpStatusCode.TooManyRequests), true },
        { new HttpRequestException("x", null, HttpStatusCode.RequestTimeout), true },
        { new HttpRequestException("x", null, HttpStatusCode.InternalServerError), true },
        { new HttpRequestException("x", null, HttpStatusCode.ServiceUnavailable), true },
        { new HttpRequestException("x", null, HttpStatusCode.BadRequest), false },
        { new HttpRequestException("x", null, HttpStatusCode.Unauthorized), false },
        { new HttpRequestException("x", null, HttpStatusCode.Forbidden), false },
        { new HttpRequestException("connection refused"), true },
        { new IOException("reset"), true },
        { new SocketException((int)SocketError.ConnectionReset), true },
        { new TimeoutRejectedException(), true },
        { new BrokenCircuitException(), true },
        { new OperationCanceledException(), false },
        { new InvalidOperationException("a bug"), false },
        { new InvalidOperationException("wrapped", new IOException("reset")), true },
        { new ClientResultException("no response"), true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void IsTransient(Exception exception, bool expected) => Assert.Equal(expected, ProviderFailures.IsTransient(exception));

    [Theory]
    [InlineData(429, true)]
    [InlineData(503, true)]
    [InlineData(400, false)]
    public void ClientResultException_IsClassifiedByStatus(int status, bool expected)
    {
        var exception = new ClientResultException(new FakeResponse(status));
        Assert.Equal(status, ProviderFailures.GetStatusCode(exception));
        Assert.Equal(expected, ProviderFailures.IsTransient(exception));
    }

    [Theory]
    [InlineData("7", 7_000)]
    [InlineData("0.5", 500)]
    [InlineData("Tue, 24 Nov 2026 09:00:30 GMT", 30_000)]
    [InlineData("Tue, 24 Nov 2026 08:59:00 GMT", 0)]
    public void RetryAfter_SecondsOrHttpDate(string value, int expectedMs)
    {
        var now = new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), ProviderFailures.ParseRetryAfter(value, now));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-3")]
    public void RetryAfter_NotUnderstood_IsNull(string? value) => Assert.Null(ProviderFailures.ParseRetryAfter(value, DateTimeOffset.UtcNow));

    [Fact]
    public void RetryAfter_IsReadFromTheResponseHeaders_MillisecondsFirst()
    {
        var response = new FakeResponse(429);
        response.SetHeader("Retry-After", "3");
        Assert.Equal(TimeSpan.FromSeconds(3), ProviderFailures.GetRetryAfter(new ClientResultException(response), DateTimeOffset.UtcNow));
        response.SetHeader("retry-after-ms", "250");
        Assert.Equal(TimeSpan.FromMilliseconds(250), ProviderFailures.GetRetryAfter(new ClientResultException(response), DateTimeOffset.UtcNow));
    }

    private sealed class FakeResponse(int status) : PipelineResponse
    {
        private readonly FakeHeaders _headers = new();

        public override int Status => status;

        public override string ReasonPhrase => "test";

        public override Stream? ContentStream { get; set; }

        public override BinaryData Content => BinaryData.FromString("{}");

        protected override PipelineResponseHeaders HeadersCore => _headers;

        public void SetHeader(string name, string value) => _headers.Values[name] = value;

        public override BinaryData BufferContent(CancellationToken cancellationToken = default) => Content;

        public override ValueTask<BinaryData> BufferContentAsync(CancellationToken cancellationToken = default) => new(Content);

        public override void Dispose()
        {
        }

        private sealed class FakeHeaders : PipelineResponseHeaders
        {
            public Dictionary<string, string> Values { get; } = new(StringComparer.OrdinalIgnoreCase);

            public override bool TryGetValue(string name, out string? value) => Values.TryGetValue(name, out value);

            public override bool TryGetValues(string name, out IEnumerable<string>? values)
            {
                bool found = Values.TryGetValue(name, out string? value);
                values = found ? [value!] : null;
                return found;
            }

            public override IEnumerator<KeyValuePair<string, string>> GetEnumerator() => Values.GetEnumerator();
        }
    }
}
