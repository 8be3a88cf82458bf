# The second app: the same recipe as the first, a different answer.
# {learner}'s copy of the second app (lesson 5 says why your name is here).
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "hello from app2!"


if __name__ == "__main__":
    app.run(host="0.0.0.0")
