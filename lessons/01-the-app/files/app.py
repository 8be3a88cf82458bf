# A tiny web app: every visit to / gets one line of text back.
# {learner}'s copy of the course app (lesson 5 says why your name is here).
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "hello world!"


if __name__ == "__main__":
    # 0.0.0.0: answer on every network interface of the container,
    # so that a published port can reach the app from outside.
    app.run(host="0.0.0.0")
