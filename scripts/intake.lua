-- wrk script: POST /api/v1/dossiers with a fresh applicant each time.
-- The desks come from the environment (HAICAP_TOKEN: "token|commune name" per desk, comma-
-- separated), set by scripts/bench-http.sh; the requests take them in turn, each applicant
-- living in the desk's commune.
local desks = {}
for t, name in string.gmatch(os.getenv("HAICAP_TOKEN"), "([^,|]+)|([^,]+)") do desks[#desks + 1] = { t, name } end
-- HAICAP_KEYS set: each request names its intake with an Idempotency-Key (prefix + thread +
-- number; the prefix tells apart the wrk processes of a run).
local keys = os.getenv("HAICAP_KEYS")
if keys == "" then keys = nil end
local n = 0
id = 0 -- set per thread by setup (a global: thread:set writes the thread's globals)
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  local desk = desks[n % #desks + 1]
  local body = string.format(
    '{"procedure_code":"1.004873","channel":"direct","applicant":{"full_name":"Người nộp %d","phone":"09%08d","address":"%d Trần Phú, %s, Đà Nẵng"}}',
    n, n % 100000000, n % 300 + 1, desk[2])
  -- wrk.format takes these headers instead of wrk.headers, not with them.
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. desk[1] }
  if keys then headers["Idempotency-Key"] = string.format("%s-%d-%d", keys, id, n) end
  return wrk.format(nil, "/api/v1/dossiers", headers, body)
end
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('{"requests":%d,"seconds":%.2f,"per_second":%.0f,"non_2xx_or_errors":%d,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), errors,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
