-- One registration per request, each with an email address of its own, for bench/registration.py.
--
--   wrk -t2 -c16 -d10s -s bench/wrk/registration.lua URL -- MODE PATH PREFIX [COOKIE CSRF_TOKEN]
--
-- MODE is json (a JSON body) or form (form-encoded, with the session COOKIE and CSRF_TOKEN of one
-- visit to the form, as a browser would send them). Emails are PREFIX-<thread>-<n>@example.org.
-- At the end one line of JSON gives the counts and latencies (microseconds) to the driver.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_number", #threads)
end

function init(args)
   mode, path, prefix, cookie, token = args[1], args[2], args[3], args[4] or "", args[5] or ""
   -- milliseconds between an answer and the next request (registration-paced.lua only)
   pace = tonumber(args[6] or "0") or 0
   sent = 0
   wrk.method = "POST"
   if mode == "json" then
      wrk.headers["Content-Type"] = "application/json"
   else
      wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
      wrk.headers["Accept"] = "text/html"
      if cookie ~= "" then wrk.headers["Cookie"] = cookie end
   end
end

function request()
   sent = sent + 1
   local email = string.format("%s-%d-%d@example.org", prefix, thread_number, sent)
   local body
   if mode == "json" then
      body = string.format('{"name":"Bench Person %d","email":"%s","affiliation":"Bench University",'
         .. '"country":"RU","category":"faculty","consent":true}', sent, email)
   else
      body = string.format("csrf_token=%s&name=Bench+Person+%d&email=%s&affiliation=Bench+University"
         .. "&country=RU&category=faculty&consent=y", token, sent, (email:gsub("@", "%%40")))
   end
   return wrk.format(nil, path, nil, body)
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format('{"requests":%d,"duration_us":%d,"errors_connect":%d,"errors_read":%d,'
      .. '"errors_write":%d,"errors_status":%d,"errors_timeout":%d,"p50_us":%d,"p90_us":%d,'
      .. '"p99_us":%d,"max_us":%d}\n',
      summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
