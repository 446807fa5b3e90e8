"""`alveole bench`: a large cooperative generated in bulk on a throwaway database, then measured.

- `sizes.py`: the sizes (quick, medium, full) and what each generates;
- `database.py`: the throwaway database (a SQLite file in a temporary folder, or a
  PostgreSQL database named `bench_…`), never the configured one;
- `generate.py`: the bulk generator, which writes what the services would write (numbers
  drawn in order per series with their counters, totals computed from the lines, payments
  that never exceed what is owed, balanced ledger entries built by `ledger.posting`);
- `measure.py`: the measurements, printed as a table and written as JSON under `bench/`.
"""
