"""The comparison for `helpdesk-benchmarks okta-service`: the official Okta Python SDK (pip install
okta==3.4.6) doing the checks the helpdesk does before adding a user to a group, at the same
number of requests in flight: find the user by email (search), read the user by id, read the
group, list the user's groups, and add the user when not yet a member.

Reads ORG_URL, TOKEN, GROUP_ID, EMAILS (a file, one address a line) and IN_FLIGHT from the
environment; prints one JSON object: wall seconds, asks, failures and their first reasons.
"""
import asyncio
import json
import os
import time

from okta.client import Client


def error_of(result):
    return result[-1] if isinstance(result, tuple) else None


async def main():
    # The stand-in answers on loopback over plain HTTP; the SDK allows that only in its testing mode.
    os.environ["OKTA_TESTING_TESTINGDISABLEHTTPSCHECK"] = "true"
    client = Client({
        "orgUrl": os.environ["ORG_URL"],
        # This SDK version writes its SSWS header as "SSWS" + token, without the space Okta's
        # scheme has; a leading space makes the header the one Okta documents.
        "token": " " + os.environ["TOKEN"],
        "rateLimit": {"maxRetries": 20},
        "requestTimeout": 120,
    })
    group_id = os.environ["GROUP_ID"]
    emails = [line.strip() for line in open(os.environ["EMAILS"]) if line.strip()]
    gate = asyncio.Semaphore(int(os.environ.get("IN_FLIGHT", "10")))
    failures = []

    async def ask(email):
        async with gate:
            users, _, error = await client.list_users(search=f'profile.email eq "{email}"')
            if error or not users:
                failures.append(f"{email}: search: {error}")
                return
            user, _, error = await client.get_user(users[0].id)
            if error:
                failures.append(f"{email}: get user: {error}")
                return
            group, _, error = await client.get_group(group_id)
            if error:
                failures.append(f"{email}: get group: {error}")
                return
            groups, _, error = await client.list_user_groups(user.id)
            if error:
                failures.append(f"{email}: user's groups: {error}")
                return
            if not any(g.id == group_id for g in groups):
                error = error_of(await client.assign_user_to_group(group_id, user.id))
                if error:
                    failures.append(f"{email}: add: {error}")

    start = time.monotonic()
    await asyncio.gather(*(ask(email) for email in emails))
    wall = time.monotonic() - start
    print(json.dumps({"wall": wall, "asks": len(emails), "failures": len(failures), "reasons": failures[:5]}))


asyncio.run(main())
