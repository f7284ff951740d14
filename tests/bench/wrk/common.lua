-- Shared by the web benchmark's wrk scripts (tests/bench/test_bench_web.py runs wrk from the repository root).
--
-- BENCH_SESSIONS names a file of "sessionid csrftoken rep_id" lines, one per signed-in person: each request
-- takes the next one, so that 50 reps (or one manager) use the site at once. Every answer other than 200 is
-- counted (wrk itself counts only 4xx/5xx, and a sign-in redirect would look like success), and the report is
-- one JSON line: WRK_RESULT {...}.

sessions = {}
for line in io.lines(os.getenv("BENCH_SESSIONS")) do
  local sessionid, csrftoken, rep = line:match("^(%S+) (%S+) (%S+)$")
  if sessionid then
    table.insert(sessions, {cookie = "sessionid=" .. sessionid .. "; csrftoken=" .. csrftoken,
                            csrftoken = csrftoken, rep = rep})
  end
end

path = os.getenv("BENCH_PATH")
turn = 0
not_ok = 0

function next_session()
  turn = turn % #sessions + 1
  return sessions[turn]
end

local threads = {}

function setup(thread)
  thread:set("turn", #threads * 7)  -- threads start with different people
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests)
  local unexpected = 0
  for _, thread in ipairs(threads) do
    unexpected = unexpected + thread:get("not_ok")
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "not_200": %d, "socket_errors": %d, '
      .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, unexpected,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
