app_name = "transparency"
urlpatterns: list = []
