"""The demo's data, built the way the portal builds it (`manage.py seed_demo`, `make run`).

Each module seeds one part, once (running `seed_demo` again creates nothing twice), through the
same builders as the test factories (`accounts.builders`, `certification.builders`,
`associations.builders`), which call the services:

- `staff`: the demo domain and password, demo accounts, exchange staff;
- `agencies`: the login agencies of each kind, their assisters in every certification state,
  support staff, an agency awaiting review;
- `listings`: the public directory across Minnesota, from the made-up people of `demo/data/`;
- `consumers`: consumers with each combination of assisters of record;
- `applications`, `changes`, `notices`: applications in each state, chosen plans, reported changes, notices;
- `verifications`: a household with verification requests outstanding, waiting for review and not accepted
  (the sample data source), run after the main transaction (uploads need their own);
- `worklist`: the demo broker's follow-ups of every kind and urgency (documents due, coverage ending, a draft left
  alone, a renewal at risk, a small employer's overdue invoice), added to what the others made.
"""
