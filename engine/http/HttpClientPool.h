#pragma once

#include "http/HttpClient.h"

#include <memory>
#include <mutex>
#include <vector>

namespace tsm {

/**
 * Hands out HttpClients (each keeps its own keep-alive connection) to whichever thread needs
 * one, and takes them back. Lease is the RAII handle.
 */
class HttpClientPool
{
public:
    explicit HttpClientPool(HttpOptions options) : m_options(std::move(options)) {}

    class Lease
    {
    public:
        Lease(HttpClientPool &pool, std::unique_ptr<HttpClient> client)
            : m_pool(&pool), m_client(std::move(client))
        {}
        Lease(Lease &&) = default;
        ~Lease()
        {
            if (m_client)
                m_pool->giveBack(std::move(m_client));
        }
        HttpClient *operator->() const { return m_client.get(); }
        HttpClient &operator*() const { return *m_client; }

    private:
        HttpClientPool *m_pool;
        std::unique_ptr<HttpClient> m_client;
    };

    Lease acquire()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_idle.empty())
            return Lease(*this, std::make_unique<HttpClient>(m_options));
        auto client = std::move(m_idle.back());
        m_idle.pop_back();
        return Lease(*this, std::move(client));
    }

    const HttpOptions &options() const { return m_options; }

private:
    void giveBack(std::unique_ptr<HttpClient> client)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_idle.push_back(std::move(client));
    }

    HttpOptions m_options;
    std::mutex m_mutex;
    std::vector<std::unique_ptr<HttpClient>> m_idle;
};

} // namespace tsm
