"""Prepaid packages of visits (套餐 / 次卡, issue 18): the ledger.

- ``models``: Package (a resident's prepaid visits of one service in one community, with its
  balance) and PackageEntry (the ledger: bought, drawn, returned, consumed, refunded, expired)
- ``ledger``: the services that move a balance, each one conditional UPDATE or row lock, so the
  balance never goes below zero and the ledger always sums to it

Not built yet (see the README): publishing packages on the fee board, buying one by card,
booking with a package from the service page, and the balance page.
"""
