-- wrk script for tools/bench.py: one request, given by environment variables
-- (BENCH_METHOD, BENCH_BODY_FILE, BENCH_HEADERS as "Name: value" lines), sent
-- again and again; the figures come out as one JSON line. BENCH_ROTATE, when
-- set, holds more "Name: value" lines: each request adds the next of them in
-- turn (a class's checks, each with another student's token).

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

local prepared = {}
local turn = 0

function init(args)
  for line in (os.getenv("BENCH_ROTATE") or ""):gmatch("[^\n]+") do
    local name, value = line:match("^([^:]+):%s*(.*)$")
    local these = {}
    for k, v in pairs(headers) do these[k] = v end
    these[name] = value
    table.insert(prepared, wrk.format(method, nil, these, body))
  end
  if #prepared == 0 then
    prepared = {wrk.format(method, nil, headers, body)}
  end
end

function request()
  turn = turn % #prepared + 1
  return prepared[turn]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "errors": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
