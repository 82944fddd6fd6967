-- wrk script: POST /api/v1/dossiers with a fresh applicant each time.
-- The token comes from the environment (HAICAP_TOKEN), set by scripts/bench-http.sh.
local token = os.getenv("HAICAP_TOKEN")
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
request = function()
  n = n + 1
  local body = string.format(
    '{"procedure_code":"1.004873","channel":"direct","applicant":{"full_name":"Người nộp %d","phone":"09%08d","address":"%d Trần Phú, Phường Hải Châu, Đà Nẵng"}}',
    n, n % 100000000, n % 300 + 1)
  return wrk.format(nil, "/api/v1/dossiers", nil, body)
end
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('{"requests":%d,"seconds":%.2f,"per_second":%.0f,"non_2xx_or_errors":%d,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), errors,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
