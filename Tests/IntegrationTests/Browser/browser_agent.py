#!/usr/bin/python3
"""Drives one headless Debian chromium through selenium (Debian's python3-selenium and
chromium-driver) for the dashboard's browser tests (DashboardBrowserTests.swift).

Reads one JSON command per line on stdin and answers one JSON line on stdout, so the Swift test
keeps the broker, plugin, ingester and database in its own hands and asks the browser only what a
person would do or see: load a page, wait until some text shows, read it, take a screenshot.

Commands: {"op": "get", "url"}, {"op": "wait_text", "css", "text", "timeout", "exact"} (an element
matching css whose visible text contains text, or equals it with exact), {"op": "text", "css"}, {"op": "count", "css"},
{"op": "script", "js"} (returns the value), {"op": "screenshot", "path"}, {"op": "quit"}.
Answers: {"ok": true, ...} or {"ok": false, "error": "...", "page": <visible text of the body>}.
"""
import json
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def start(profile_dir):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1500,1000", "--user-data-dir=" + profile_dir,
                     # Nothing leaves the machine: the pages must work without the network.
                     "--no-first-run", "--disable-background-networking", "--disable-extensions"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)


def body_text(driver):
    try:
        return driver.find_element(By.TAG_NAME, "body").text[-3000:]
    except Exception as error:  # the page may be between two documents
        return "(no body: %s)" % error


def texts(driver, css):
    return [element.text for element in driver.find_elements(By.CSS_SELECTOR, css)]


def handle(driver, command):
    op = command["op"]
    if op == "get":
        driver.get(command["url"])
        return {"ok": True, "title": driver.title}
    if op == "wait_text":
        deadline = time.monotonic() + float(command.get("timeout", 20))
        started = time.monotonic()
        while True:
            try:
                found = texts(driver, command["css"])
            except Exception:  # a live update replaced the element while we read it
                found = []
            exact = command.get("exact", False)
            if any(command["text"] == text if exact else command["text"] in text for text in found):
                return {"ok": True, "seconds": round(time.monotonic() - started, 3), "texts": found}
            if time.monotonic() >= deadline:
                return {"ok": False, "error": "no element %r shows %r; seen: %r" % (command["css"], command["text"], found),
                        "page": body_text(driver)}
            time.sleep(0.1)
    if op == "text":
        return {"ok": True, "texts": texts(driver, command["css"])}
    if op == "count":
        return {"ok": True, "count": len(driver.find_elements(By.CSS_SELECTOR, command["css"]))}
    if op == "script":
        return {"ok": True, "value": driver.execute_script(command["js"])}
    if op == "screenshot":
        driver.save_screenshot(command["path"])
        return {"ok": True, "path": command["path"]}
    return {"ok": False, "error": "unknown op %r" % op}


def main():
    driver = start(sys.argv[1])
    print(json.dumps({"ok": True, "ready": True}), flush=True)
    try:
        for line in sys.stdin:
            command = json.loads(line)
            if command["op"] == "quit":
                print(json.dumps({"ok": True}), flush=True)
                break
            try:
                answer = handle(driver, command)
            except Exception as error:
                answer = {"ok": False, "error": "%s: %s" % (type(error).__name__, error), "page": body_text(driver)}
            print(json.dumps(answer), flush=True)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
