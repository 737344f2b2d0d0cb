-- POST /api/v1/sites/{site}/consents with a fresh random visitor id per request.
-- Usage: wrk ... -s post_consent.lua URL -- SITE ORIGIN
-- ORIGIN is a registered origin of SITE: the POSTs come as the banner's browsers send them
-- (without one the server asks for a recorder key).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
local choices = {
   '{"analytics": true, "ads": true, "youtube": true, "affiliate": true}',
   '{"analytics": false, "ads": false, "youtube": false, "affiliate": false}',
   '{"analytics": true, "ads": false, "youtube": true, "affiliate": false}',
}
local actions = {"accept_all", "reject_all", "custom"}
local path
local origin
local counter = 0

function init(args)
   path = "/api/v1/sites/" .. (args[1] or "bench") .. "/consents"
   origin = args[2] or "http://127.0.0.1"
   -- Each wrk thread has its own Lua state: seed it differently.
   math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16))
end

local function visitor_id()
   local chars = {}
   for i = 1, 22 do
      local n = math.random(1, #alphabet)
      chars[i] = alphabet:sub(n, n)
   end
   return table.concat(chars)
end

function request()
   counter = counter + 1
   local kind = counter % 3 + 1
   local body = string.format(
      '{"visitor_id": "%s", "policy_version": 1, "choices": %s, "action": "%s", "language": "sv", ' ..
      '"page_url": "https://shop.example/produkt/%d?utm_source=bench"}',
      visitor_id(), choices[kind], actions[kind], counter % 500)
   return wrk.format("POST", path, {["Content-Type"] = "application/json", ["Origin"] = origin,
      ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"}, body)
end
