-- The Today page's "+1" button as htmx sends it: a form POST to BENCH_PATH (activities:entry-log) with the CSRF
-- header, one rep after another logging BENCH_TYPE for BENCH_DATE; the answer is the re-rendered panel (200).
dofile("tests/bench/wrk/common.lua")

local activity_type = os.getenv("BENCH_TYPE")
local day = os.getenv("BENCH_DATE")

function request()
  local session = next_session()
  local body = "rep=" .. session.rep .. "&activity_type=" .. activity_type .. "&quantity=1&date=" .. day
  return wrk.format("POST", path, {
    Cookie = session.cookie,
    ["X-CSRFToken"] = session.csrftoken,
    ["HX-Request"] = "true",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
