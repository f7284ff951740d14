-- GET BENCH_PATH as each signed-in person in turn (the Today page, the dashboard, the minimal view).
dofile("tests/bench/wrk/common.lua")

function request()
  local session = next_session()
  return wrk.format("GET", path, {Cookie = session.cookie})
end
