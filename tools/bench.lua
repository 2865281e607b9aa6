-- wrk script for tools/bench.py: one request, given by environment variables
-- (BENCH_METHOD, BENCH_BODY_FILE, BENCH_HEADERS as "Name: value" lines), sent
-- again and again; the figures come out as one JSON line.

local method = os.getenv("BENCH_METHOD") or "GET"
local body = nil
local body_file = os.getenv("BENCH_BODY_FILE")
if body_file and body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  body = f:read("*a")
  f:close()
end
local headers = {}
for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then headers[name] = value end
end

local prepared = nil

function init(args)
  prepared = wrk.format(method, nil, headers, body)
end

function request()
  return prepared
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "errors": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
