-- wrk script for tools/loadtest.py: sends the requests of a plan (a Lua file
-- that returns a list of {method, path, headers, body}), in the plan's order,
-- each thread from its own offset, and prints the figures as one JSON line.
-- The plan is shuffled by weight when it is written, so any stretch of it
-- mixes page loads, checks, API calls and worksheets in the chosen proportions.

local plan = dofile(os.getenv("LOADTEST_PLAN"))
local prepared = {}
local position = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for i, item in ipairs(plan) do
    prepared[i] = wrk.format(item.method, item.path, item.headers, item.body)
  end
  -- A prime stride, so that threads start far apart in the plan.
  position = ((id or 0) * 7919) % #prepared
end

function request()
  position = position % #prepared + 1
  return prepared[position]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'LOADTEST {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, '
    .. '"read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, '
    .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean))
end
