"""board.json and board.csv beside each board: Wagtail's serve pattern does not route a dot.

Include before Wagtail's catch-all: ``path("", include("cms.urls"))``.
"""

from django.urls import path

from cms import views

urlpatterns = [
    path("boards/<slug:slug>/board.json", views.board_json, name="board-json"),
    path("boards/<slug:slug>/board.csv", views.board_csv_view, name="board-csv"),
]
