-- GET /healthz: the baseline every other endpoint is compared with.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")
wrk.method = "GET"
