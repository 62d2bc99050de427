"""Peer: A2C on CartPole-v1 as Stable-Baselines3 runs it with RL Zoo's a2c.yml settings (PyTorch CPU +
Gymnasium sync vector env), written in the style of ../shared/peers/ppo_cartpole.py to time a peer side
by side with `pomdp train --agent a2c` (preset a2c-cartpole).

Settings: 8 envs x 5 steps, RMSprop (alpha 0.99, eps 1e-5) lr 7e-4 constant, gamma 0.99, GAE lambda 1
(n-step returns), no entropy bonus, value coefficient 0.5, gradient clip 0.5, advantages not normalized,
separate 64-64 tanh actor and critic (orthogonal init, gains sqrt 2 / 0.01 / 1), one gradient step per
rollout.
  ../shared/peers/run <path to this file> [total_steps] [seed]
Prints one JSON line: sps, steps to first reach a rolling mean (20 episodes) >= 475, final mean return.
"""
import json, sys, time, numpy as np, torch, torch.nn as nn, gymnasium as gym
torch.set_num_threads(2)
total = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
N, T, lr, gamma, vf, mgn = 8, 5, 7e-4, .99, .5, .5
def mk():
    return gym.wrappers.RecordEpisodeStatistics(gym.make("CartPole-v1"))
envs = gym.vector.SyncVectorEnv([mk for _ in range(N)], autoreset_mode=gym.vector.AutoresetMode.NEXT_STEP)
torch.manual_seed(seed); np.random.seed(seed)
def L(i, o, std=np.sqrt(2)):
    l = nn.Linear(i, o); nn.init.orthogonal_(l.weight, std); nn.init.constant_(l.bias, 0); return l
critic = nn.Sequential(L(4, 64), nn.Tanh(), L(64, 64), nn.Tanh(), L(64, 1, 1.0))
actor = nn.Sequential(L(4, 64), nn.Tanh(), L(64, 64), nn.Tanh(), L(64, 2, 0.01))
params = list(critic.parameters()) + list(actor.parameters())
opt = torch.optim.RMSprop(params, lr=lr, alpha=0.99, eps=1e-5)
obs_b = torch.zeros(T, N, 4); act_b = torch.zeros(T, N); rew_b = torch.zeros(T, N); done_b = torch.zeros(T, N)
o, _ = envs.reset(seed=seed); o = torch.tensor(o); d = torch.zeros(N)
returns, solved_at, step, t0 = [], None, 0, time.time()
for it in range(total // (N * T)):
    for t in range(T):
        step += N; obs_b[t] = o; done_b[t] = d
        with torch.no_grad():
            a = torch.distributions.Categorical(logits=actor(o)).sample()
        act_b[t] = a
        o2, r, te, tr, info = envs.step(a.numpy())
        rew_b[t] = torch.tensor(r); o = torch.tensor(o2, dtype=torch.float32); d = torch.tensor(np.logical_or(te, tr), dtype=torch.float32)
        if "episode" in info:
            for k in np.nonzero(info["_episode"])[0]:
                returns.append(float(info["episode"]["r"][k]))
                if solved_at is None and len(returns) >= 20 and np.mean(returns[-20:]) >= 475: solved_at = step
    with torch.no_grad():
        ret = torch.zeros(T, N); nxt = critic(o).flatten()
        for t in reversed(range(T)):
            nnt = 1.0 - (d if t == T - 1 else done_b[t + 1])
            nxt = rew_b[t] + gamma * nxt * nnt; ret[t] = nxt
    bo, ba, bret = obs_b.reshape(-1, 4), act_b.reshape(-1), ret.reshape(-1)
    dist = torch.distributions.Categorical(logits=actor(bo)); v = critic(bo).flatten()
    adv = (bret - v).detach()
    loss = -(adv * dist.log_prob(ba)).mean() + vf * ((bret - v) ** 2).mean()
    opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(params, mgn); opt.step()
el = time.time() - t0
print(json.dumps({"steps": step, "seconds": round(el, 1), "sps": round(step / el), "solved_at": solved_at,
                  "final_mean_return_20": round(float(np.mean(returns[-20:])), 1)}))
