/// The dashboard's only stylesheet and script, compiled into the binary and served inline with
/// each page: nothing is fetched from another host, and the pages work offline.
enum Assets {
    static let css = """
        body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
        header{background:#1d3557;color:#fff;padding:8px 16px;display:flex;gap:16px;align-items:center}
        header a{color:#fff;text-decoration:none}header a.here{font-weight:bold;text-decoration:underline}
        header .live{margin-left:auto;font-size:12px;opacity:.8}
        main{padding:16px}table{border-collapse:collapse;background:#fff;margin:8px 0}
        th,td{border:1px solid #d6dbe1;padding:4px 8px;text-align:left;vertical-align:top}
        th{background:#eef1f5}td.num{text-align:right}
        .state{font-weight:bold}.state-up,.state-online{color:#1b7f3b}.state-silent,.state-session_kept{color:#a66b00}
        .state-lost,.state-unknown{color:#b3261e}.state-stopped,.state-offline{color:#5b6470}
        .notice{background:#fff4d6;border:1px solid #e6c200;padding:6px 10px;margin:8px 0}
        .error{background:#fde2e1;border:1px solid #b3261e;padding:6px 10px;margin:8px 0}
        form{margin:8px 0}input,select{font:inherit}
        svg.chart{background:#fff;border:1px solid #d6dbe1}svg.chart .axis{stroke:#8a94a0}
        figure.chart{display:inline-block;margin:0 12px 0 0}figure.chart figcaption{font-size:.85em;color:#5b6470}
        svg.chart .scale{font-size:9px;fill:#5b6470}svg.chart .end{text-anchor:end}
        .series-a{fill:#2a6f97}.series-b{fill:#c8553d}.legend-a{color:#2a6f97}.legend-b{color:#c8553d}
        .mono{font-family:ui-monospace,monospace;white-space:pre-wrap;word-break:break-all}
        """

    /// Live updates by polling: every `data-refresh` milliseconds the page fetches itself again
    /// (same URL, same cookie) and swaps in the new `#live` element. A failed fetch shows in the
    /// header and is retried on the next tick.
    static let script = """
        (function(){
          var live=document.getElementById('live');if(!live)return;
          var every=parseInt(live.getAttribute('data-refresh')||'0',10);if(!every)return;
          var status=document.getElementById('live-status');
          function tick(){
            fetch(location.href,{headers:{'X-Dashboard-Poll':'1'},credentials:'same-origin',cache:'no-store'})
              .then(function(r){if(!r.ok)throw new Error('HTTP '+r.status);return r.text();})
              .then(function(html){
                var doc=new DOMParser().parseFromString(html,'text/html');
                var next=doc.getElementById('live');
                if(next){live.replaceWith(next);live=next;}
                if(status)status.textContent='live: updated '+new Date().toISOString().substring(11,19)+' UTC';
              })
              .catch(function(e){if(status)status.textContent='live: '+e.message+'; retrying';})
              .finally(function(){setTimeout(tick,every);});
          }
          setTimeout(tick,every);
        })();
        """
}
